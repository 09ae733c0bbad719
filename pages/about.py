"""关于本站与数据说明: what is published, where data comes from, personal data, open data."""
import pandas as pd
import streamlit as st

from portal import i18n
from portal.i18n import both, t
from portal.notices import rules as notice_rules
from portal.rule_sources import all_rules
from portal.ui import cached
from portal.ui.layout import page_setup
from portal.ui.notice_offers import notices_offered
from portal.ui.widgets import demo_notice

ctx = page_setup("关于本站与数据说明", english=True)
profile = ctx.profile
st.title(t("关于本站与数据说明"), anchor=False)
demo_notice(cached.demo_present(ctx))

st.markdown(t("本站由**{bureau}**主办，向公众公开食品安全监管信息，并接受公众的投诉举报和监督。",
              bureau=i18n.place(profile.bureau, profile.bureau_en)))
st.markdown("**" + t("本站公开的信息") + "**\n"
            "- " + t("食品安全监督抽检结果（合格与不合格批次），以及每一批不合格食品的核查处置情况；") + "\n"
            "- " + t("餐饮服务食品安全量化分级、“明厨亮灶”情况，以及红黑榜名单。"))
st.markdown(t("**公开信息的来源**：以本局发布的食品安全监督抽检信息公告、量化分级评定结果和信用监管决定为准。"
              "如本站信息与正式公告不一致，以正式公告为准。"))

with st.expander(t("什么是“演示数据”？")):
    st.markdown(t("系统首次启动时，会自动生成一批**演示数据**，用于展示各项功能。演示数据在页面上"
                  "都标有“演示数据”字样，不是真实的登记、抽检或执法信息。正式上线时，管理员会清除全部演示数据。"))

with st.expander(t("个人信息保护")):
    st.markdown(t("您在本站提交投诉举报、参与“你点我检”或满意度调查时，我们只收集办理所必需的信息，"
                  "并依照《中华人民共和国个人信息保护法》处理：") + "\n"
                "- " + t("姓名、手机号码等个人信息**不会在任何公开页面显示**；工作人员在不需要时看到的也是遮盖后的号码（如 138****1234）；") + "\n"
                "- " + t("只用于核验身份的信息，以加密散列方式保存；") + "\n"
                "- " + t("您上传的照片在保存前会去除拍摄地点等附加信息；") + "\n"
                "- " + t("个人信息在办结后按规定期限保存（本站为 {years} 年），期满删除姓名、电话、描述和照片，删除操作留有记录。",
                         years=ctx.settings.complaint_retention_years) + "\n"
                "- " + t("预约快检室送检时验证的手机号，只以加密散列和遮盖后的号码（如 138****1234）保存，"
                         "在预约日期过后 {days} 天删除；送检食品和检测结果不含个人信息，保留用于统计，删除操作留有记录。",
                         days=ctx.settings.test_room_retention_days) + "\n"
                "- " + t("为接收通知留下的电子邮箱加密保存，只用于发送您要求的通知；退订（每封邮件末尾都有链接）"
                         "或取消全部关注时立即删除，邮件连续 {bounces} 次被对方服务器拒收时、"
                         "申请关注后 {days} 天内没有确认时也会删除；只为接收自己投诉举报的通知而留下的邮箱，"
                         "随该投诉举报的其他个人信息一起删除。",
                         bounces=notice_rules.MAX_BOUNCES, days=notice_rules.UNCONFIRMED_DAYS) + "\n"
                "- " + t("为接收短信通知留下的手机号同样加密保存，只用于发送您要求的通知；"
                         "用短信里的链接停止全部通知或取消全部关注时立即删除，短信网关连续 3 次拒绝发送时也会删除。"))

notices_offered(ctx)

with st.expander(t("开放数据接口（API）")):
    st.markdown(t("本站的公开数据也可以由其他网站和应用直接读取（JSON 或 CSV），不需要注册。"
                  "字段含义固定，完整说明见 [/api/v1/openapi.json](/api/v1/openapi.json)。"))
    st.table(pd.DataFrame([
        ("/api/v1/sampling", t("抽检批次，含不合格项目和核查处置")),
        ("/api/v1/businesses", t("食品经营主体，含量化分级和明厨亮灶")),
        ("/api/v1/lists", t("当前有效的红黑榜")),
        ("/api/v1/rounds", t("“你点我检”各期、得票和抽检结果")),
        ("/api/v1/test-rooms", t("快检室：地址、开放时间、检测项目、预约时段和近一年送检次数")),
        ("/api/v1/complaints/stats", t("投诉举报办理统计")),
        ("/api/v1/requests", t("投诉举报案件（Open311 风格，不含任何个人信息）")),
    ], columns=[both("地址"), both("内容")]).set_index(both("地址")))
    st.caption(t("列表接口用 limit（1–500）和 offset 分页，加 format=csv 得到 CSV。每个客户端每分钟最多 "
                 "{rate} 次请求。演示数据在返回结果中标为 demo。", rate=ctx.settings.api_requests_per_minute))

with st.expander(t("本站采用的各项规则及其依据")):
    st.markdown(t("处置时限、评级标准、名单期限和投诉举报办理期限都按下列规则计算。"
                  "标有“未经核实”的规则还没有对照正式公布的条文核对，本站管理员会核对后更新。"))
    with ctx.db.read() as session:
        rule_list = all_rules(session)
    st.table(pd.DataFrame([(t(r.area), ("" if r.verified else t("未经核实") + "：") + r.source)
                           for r in rule_list], columns=[both("方面"), both("规则与依据")])
             .set_index(both("方面")))

with st.expander(t("{city}的辖区与人口", city=i18n.place(profile.name, profile.name_en))):
    st.markdown("\n".join("- " + t("{name}（行政区划代码 {adcode}）：常住人口约 {population:,} 人",
                                   name=i18n.place(d.name, d.name_en), adcode=d.adcode,
                                   population=d.population)
                          for d in profile.districts))
    st.caption(profile.population_source)
    st.caption(t("区县边界来自阿里云 DataV 行政区划数据（已由 GCJ-02 转换为 WGS-84），仅供演示；"
                 "正式部署应使用具有审图号的标准地图数据。"))
