"""Fixed word lists of the demo mall: categories, shops, products, cities, tags, reasons.

Everything random in the demo is drawn from these lists by `demo.world`
and `demo.orders`; nothing here is random itself.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CATEGORIES", "Category", "Leaf"]


@dataclass(frozen=True)
class Leaf:
    """A second-level category: what its products are called and cost."""

    name: str
    name_en: str
    commission_bps: int
    products: tuple[str, ...]
    specs: tuple[str, ...]
    price_yuan: tuple[int, int]
    # (months before as_of's month, rate before that) when the rate was changed
    changed: tuple[int, int] | None = None


@dataclass(frozen=True)
class Category:
    """A top-level category with its word for shop and company names."""

    name: str
    name_en: str
    commission_bps: int
    shop_word: str
    industry: str
    leaves: tuple[Leaf, ...]


# fmt: off
CATEGORIES: tuple[Category, ...] = (
    Category(
        "美妆", "Beauty", 600, "美妆", "化妆品",
        (
            Leaf("护肤", "Skincare", 600,
                 ("玻尿酸补水精华液", "烟酰胺焕亮面膜", "氨基酸洁面乳", "修护保湿面霜",
                  "清透防晒乳"),
                 ("30ml", "50ml", "10片装", "100g", "礼盒装"), (59, 399), (7, 550)),
            Leaf("彩妆", "Makeup", 650,
                 ("丝绒雾面口红", "持妆粉底液", "眼影盘", "定妆散粉", "防水眉笔"),
                 ("#01", "#03 豆沙色", "12色", "自然色", "双头"), (39, 259), (8, 550)),
        ),
    ),
    Category(
        "服饰", "Apparel", 500, "服饰", "服饰",
        (
            Leaf("女装", "Womenswear", 500,
                 ("通勤西装外套", "法式碎花连衣裙", "高腰阔腿裤", "羊毛针织开衫", "纯棉短袖T恤"),
                 ("S", "M", "L", "XL", "均码"), (69, 599)),
            Leaf("男装", "Menswear", 500,
                 ("商务休闲衬衫", "加绒卫衣", "直筒牛仔裤", "轻薄羽绒服", "速干Polo衫"),
                 ("M", "L", "XL", "XXL", "3XL"), (79, 699)),
            Leaf("鞋靴", "Shoes", 450,
                 ("小白鞋", "厚底乐福鞋", "雪地靴", "透气跑步鞋", "切尔西靴"),
                 ("36码", "37码", "38码", "40码", "42码"), (99, 499)),
        ),
    ),
    Category(
        "数码", "Electronics", 250, "数码", "电子科技",
        (
            Leaf("手机配件", "Phone accessories", 300,
                 ("20W快充充电器", "磁吸无线充电宝", "钢化膜", "液态硅胶手机壳", "Type-C数据线"),
                 ("白色", "黑色", "2条装", "10000mAh", "1.5米"), (19, 199)),
            Leaf("耳机音响", "Audio", 250,
                 ("主动降噪蓝牙耳机", "头戴式耳机", "便携蓝牙音箱", "运动挂耳耳机", "电竞耳麦"),
                 ("曜石黑", "云雾白", "标准版", "Pro版", "礼盒版"), (129, 1299), (5, 200)),
        ),
    ),
    Category(
        "食品", "Food", 400, "食品", "食品",
        (
            Leaf("零食", "Snacks", 400,
                 ("每日坚果", "手撕牛肉干", "海苔脆片", "芒果干", "麻辣鸭脖"),
                 ("750g/30袋", "250g", "家庭装", "独立小包装", "2斤装"), (19, 159), (11, 350)),
            Leaf("茶饮", "Tea & drinks", 450,
                 ("明前龙井", "云南普洱茶饼", "冻干咖啡粉", "桂花乌龙茶包", "燕麦奶"),
                 ("250g", "357g", "24颗", "30包", "1L*6"), (29, 399)),
        ),
    ),
    Category(
        "家居", "Home", 500, "家居", "家居用品",
        (
            Leaf("家纺", "Bedding", 500,
                 ("全棉四件套", "大豆纤维被", "乳胶枕", "珊瑚绒毯", "遮光窗帘"),
                 ("1.5m床", "1.8m床", "单只装", "150x200cm", "定制尺寸"), (89, 899)),
            Leaf("厨具", "Kitchen", 450,
                 ("不粘炒锅", "304不锈钢保温杯", "陶瓷餐具套装", "硅胶铲勺", "玻璃保鲜盒"),
                 ("32cm", "500ml", "18件套", "5件套", "3只装"), (29, 499)),
        ),
    ),
    Category(
        "母婴", "Baby", 400, "母婴", "母婴用品",
        (
            Leaf("奶粉辅食", "Formula & food", 300,
                 ("婴幼儿配方奶粉", "有机米粉", "宝宝磨牙棒", "果泥", "儿童营养面条"),
                 ("1段 800g", "2段 800g", "3段 800g", "6盒装", "200g"), (39, 399)),
            Leaf("童装玩具", "Kids & toys", 500,
                 ("纯棉连体衣", "儿童羽绒服", "益智积木", "早教点读笔", "儿童滑板车"),
                 ("73cm", "90cm", "110cm", "200粒", "标准版"), (49, 599), (4, 450)),
        ),
    ),
    Category(
        "运动户外", "Sports & outdoors", 500, "运动", "体育用品",
        (
            Leaf("运动鞋服", "Sportswear", 500,
                 ("高弹瑜伽裤", "速干运动T恤", "缓震跑鞋", "运动内衣", "防风夹克"),
                 ("S", "M", "L", "39码", "42码"), (59, 699)),
            Leaf("户外装备", "Outdoor gear", 400,
                 ("自动帐篷", "折叠露营椅", "登山杖", "户外保温壶", "防晒冰袖"),
                 ("3-4人", "加大款", "2支装", "1L", "2双装"), (29, 899)),
        ),
    ),
)

BRAND_FIRST = tuple("禾青木云森暖初拾星麦柚鹿栗蓝橙白小南北山")
BRAND_SECOND = tuple("叶柚子朵屿阳见光野田语鲸悦禾溪川舍格优品")
FLAGSHIP_SUFFIX = "官方旗舰店"
SHOP_SUFFIXES = ("旗舰店", "专营店", "专卖店", "小铺", "优选", "生活馆", "工作室", "严选")

PROVINCES = ("浙江", "广东", "江苏", "上海", "福建", "北京", "山东", "四川", "湖北", "河南")
PROVINCE_WEIGHTS = (22, 22, 14, 10, 9, 7, 6, 4, 3, 3)
# administrative division codes for licence numbers, by province above
DIVISION_CODES = (
    "330100", "440100", "320500", "310000", "350200",
    "110000", "370200", "510100", "420100", "410100",
)
PROVINCE_CITY = ("杭州", "广州", "苏州", "上海", "厦门", "北京", "青岛", "成都", "武汉", "郑州")

CITIES_BY_TIER: tuple[tuple[str, ...], ...] = (
    ("上海", "北京", "深圳", "广州"),
    ("杭州", "成都", "南京", "武汉", "西安", "苏州", "重庆", "长沙"),
    ("洛阳", "绵阳", "赣州", "桂林", "潍坊", "扬州", "湛江", "九江"),
    ("寿光", "安吉", "婺源", "阳朔", "平遥", "曲阜", "永康", "晋江"),
)

SURNAMES = tuple("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗")
GIVEN_NAMES = ("伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "杰", "娟", "涛", "明", "超",
               "秀英", "晓东", "丽华", "志强", "雨桐", "子涵")
OPERATORS = ("ops_wang", "ops_li", "ops_chen")

TAGS = ("平价好物", "通勤穿搭", "学生党", "送礼", "护肤", "新品首发", "好物分享", "居家好物",
        "宝妈必备", "数码控", "健身打卡", "露营", "国货之光", "早餐")
NOTE_TITLES = ("回购无数次的{p}", "{p}真实测评｜不吹不黑", "{tag}｜这款{p}太好用了",
               "被问爆的{p}", "百元内{leaf}推荐：{p}", "{p}开箱，{tag}闭眼入")

REFUND_REASONS = ("质量问题", "尺码不合适", "不想要了", "发货太慢", "商品与描述不符", "少件漏发")
REFUND_REASON_WEIGHTS = (20, 18, 27, 10, 18, 7)

REVIEW_NOTES_NEEDS_INFO = ("请补充食品经营许可证", "营业执照照片不清晰，请重新上传",
                           "请补充品牌授权书", "请补充近三个月的对公流水")
REVIEW_NOTES_REJECTED = ("经营范围与申请类目不符", "品牌授权链路不完整", "资质已过期",
                         "同一主体已有入驻店铺")
LIVE_TITLES = ("{s}直播间｜宠粉福利专场", "{s}新品首发直播", "{s}周末狂欢夜",
               "{s}主播带你逛｜限时秒杀", "{s}工厂直供专场")
# fmt: on
