"""Closed vocabularies that appear as data on the public pages (business types, grades,
food categories): marked here so that `python -m portal i18n` collects them,
and shown in English with portal.ui.i18n_views.term(). Open text (names, addresses, reasons)
stays as published."""
from portal.i18n import N_

BUSINESS_TYPES = [
    N_("中央厨房"), N_("企业食堂"), N_("便利店"), N_("养老机构食堂"), N_("农村集体聚餐场所"),
    N_("农贸市场"), N_("学校食堂"), N_("小吃店"), N_("快餐店"), N_("机关食堂"), N_("超市"),
    N_("集体用餐配送单位"), N_("食品生产企业"), N_("食杂店"), N_("餐馆"), N_("饮品店"), N_("工地食堂"),
]
FOOD_CATEGORIES = [
    N_("乳制品"), N_("水产及其制品"), N_("水果及其制品"), N_("畜禽肉及副产品"), N_("粮食加工品"),
    N_("糕点"), N_("肉制品"), N_("茶叶及相关制品"), N_("蔬菜及其制品"), N_("蛋及蛋制品"), N_("调味品"),
    N_("豆制品"), N_("速冻食品"), N_("酒类"), N_("食用油、油脂及其制品"), N_("餐饮食品"), N_("饮料"),
    N_("食品相关产品"),
]
GRADES = [N_("优秀"), N_("良好"), N_("一般"), N_("大笑"), N_("微笑"), N_("平脸"), N_("暂不评级"),
          N_("非餐饮")]
KITCHEN_KINDS = [N_("无"), N_("透明厨房"), N_("视频厨房"), N_("互联网+明厨亮灶")]
RESULTS = [N_("合格"), N_("不合格")]
SAMPLING_SORTS = [N_("公告日期（新→旧）"), N_("公告日期（旧→新）"), N_("食品名称")]
COMPLAINT_OUTCOMES = [N_("调解成功"), N_("调解不成，终止调解"), N_("投诉人撤回投诉"), N_("已告知依法向其他部门反映"),
                      N_("立案查处"), N_("责令整改"), N_("经核查未发现违法行为，不予立案"),
                      N_("移送有关部门处理")]
ROUND_PHASES = [N_("即将开始"), N_("征集中"), N_("征集结束，即将投票"), N_("投票中"), N_("抽检中"), N_("已公布"),
                N_("征集"), N_("投票")]
CANDIDATE_STATUSES = [N_("待审核"), N_("已通过"), N_("未通过")]
FORM_WORDS = [N_("这道题")]
