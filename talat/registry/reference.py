"""Reference data every installation needs: the goods categories Thai SMEs sell most."""

CATEGORIES = [
    ("food", "อาหารแปรรูป", "Processed food", "加工食品"),
    ("fruit", "ผลไม้และผลไม้แปรรูป", "Fruit and fruit products", "水果及水果制品"),
    ("rice", "ข้าวและธัญพืช", "Rice and grains", "大米和谷物"),
    ("coffee-tea", "กาแฟและชา", "Coffee and tea", "咖啡和茶"),
    ("spices", "เครื่องเทศและเครื่องปรุง", "Spices and condiments", "香料和调味品"),
    ("herbal", "สมุนไพรและผลิตภัณฑ์สุขภาพ", "Herbal and health products", "草本和保健品"),
    ("cosmetics", "เครื่องสำอางและสปา", "Cosmetics and spa", "化妆品和水疗"),
    ("textiles", "ผ้าและผ้าไหม", "Textiles and silk", "纺织品和丝绸"),
    ("handicrafts", "หัตถกรรม", "Handicrafts", "手工艺品"),
    ("furniture", "เฟอร์นิเจอร์และของตกแต่งบ้าน", "Furniture and home decor", "家具和家居装饰"),
    ("beverages", "เครื่องดื่ม", "Beverages", "饮料"),
    ("seafood", "อาหารทะเลแปรรูป", "Processed seafood", "加工海产品"),
]


def ensure_goods_categories(model=None) -> None:
    """Creates or updates the categories; `model` lets a migration pass its historical model."""
    if model is None:
        from talat.registry.models import GoodsCategory as model
    for code, th, en, zh in CATEGORIES:
        model.objects.update_or_create(code=code, defaults={"name_th": th, "name_en": en, "name_zh": zh})
