"""商户查询: look a business up and see what the bureau knows of it."""
import streamlit as st

from portal.registry import queries
from portal.registry.schemas import BusinessFilter
from portal.registry.records import staff_of
from portal.lists.models import BLACK
from portal.lists.rules import is_active
from portal import i18n
from portal.i18n import N_, aside, field, t
from portal.maps import ensure_assets, location_map
from portal.timeutil import local_today
from portal.validation import MAX_QUERY
from portal.ui import cached
from portal.ui.folium_views import folium_map
from portal.ui.i18n_views import district_labels, term
from portal.ui.layout import page_setup
from portal.ui import rapid_views
from portal.ui.list_views import entry_card
from portal.ui.notice_views import follow_form
from portal.ui.rating_views import rating_card, reply_note
from portal.ui.sampling_views import result_badge, review_lines
from portal import feed_paths
from portal.ui.badge_views import badge_embed
from portal.ui.widgets import demo_notice, feed_link, id_param, md, list_address, show_address
from portal.ui.page_links import page_link

ctx = page_setup("商户查询", english=True)
params = {k: st.query_params[k] for k in st.query_params}
names = district_labels(ctx)

flt, problems = BusinessFilter.from_params(params)
# The search's own address, page included: a business opened from it carries it, so that
# 返回商户查询 comes back to the same search and page (it used to come back empty).
listed = list_address(flt.to_params(), params)

if "id" in params:
    show_address()
    page_link("pages/business.py", label=t("返回商户查询"), icon=":material/arrow_back:",
              query_params=listed)
    business_id = id_param(params, "id")
    found = cached.business_page(ctx, business_id, local_today()) if business_id else None
    if found is None:
        st.title(t("商户查询"), anchor=False)
        st.warning(t("没有找到编号为“{id}”的商户。链接可能有误，请用名称重新查询。", id=md(params['id'][:20])))
        st.stop()
    business, record, rating, listings, complaints, picked, reply, reviews = found
    demo_notice(business.is_demo)
    st.title(md(business.name), anchor=False)
    st.markdown(f"{md(term(business.business_type))}{aside(md(term(business.sector_label)))} · "
                f"{names.get(business.district_adcode, '')}")
    feed_link(feed_paths.business(business.id))
    follow_form(ctx, "business", str(business.id), "business")
    st.markdown(f":material/qr_code_2: [{t('门口扫码页')}]({feed_paths.door(business.id)})",
                help=t("公示牌上的二维码打开的页面：不用加载整个网站，手机上打开更快。"))
    badge_embed(ctx, business.id)
    if rating:
        rating_card(rating)
        if reply:
            reply_note(reply.text, reply.received_on)
    current = [e for e in listings if is_active(e.removed_on, e.ends_on, local_today())]
    for entry in current:
        if entry.kind == BLACK:
            st.error(t("这家单位目前在**严重违法失信名单**（黑榜）上。"))
        else:
            st.success(t("这家单位目前在**红榜**上。"))
    if record.failed:
        st.error(t("在已公布的抽检中，这家单位有 **{failed}** 批次不合格（共 {batches} 批次）。"
                   "请查看下方记录中的不合格原因和处置情况。", failed=record.failed, batches=record.batches))
    elif record.batches:
        st.success(t("在已公布的抽检中，这家单位的 {batches} 批次全部合格。", batches=record.batches))
    else:
        st.info(t("已公布的抽检结果中还没有这家单位的记录。"))
    lines = [f"{field('地址')}{md(business.address)}"
             + (aside(t("位置为区县中心，仅供参考")) if business.location_approximate else "")]
    if business.credit_code:
        lines.append(f"{field('统一社会信用代码')}{md(business.credit_code)}")
    if business.licence_no:
        lines.append(f"{field('许可证编号')}{md(business.licence_no)}" +
                     (aside(t("{day}发证", day=i18n.day(business.licence_date))) if business.licence_date else ""))
    for label, person, phone in staff_of(business):
        lines.append(f"{field(label)}{md(person)}" + (aside(t("工作电话 {phone}", phone=md(phone))) if phone else ""))
    st.markdown("  \n".join(lines))
    tiles = None if ctx.settings.map_tiles == "none" else ctx.settings.map_tiles
    if tiles and business.lat is not None and business.lng is not None \
            and not business.location_approximate:
        ensure_assets()
        where = (business.lat, business.lng, tiles, ctx.settings.tianditu_key)
        folium_map(("location", *where), lambda: location_map(*where), height=220, returned_objects=[],
                   key="business_location")
    st.subheader(t("抽检记录"))
    for batch in record.recent:
        with st.container(border=True):
            st.markdown(f"**{md(batch.food_name)}**　{result_badge(batch.result)}  \n"
                        f"{field('公告日期')}{i18n.day(batch.announcement_date)}"
                        + ("　:material/how_to_vote: " + t("群众“你点我检”选出") if batch.id in picked else "")
                        + "".join("  \n" + line for line in review_lines(reviews.get(batch.id, []))))
            page_link("pages/sampling.py", label=t("查看详情"), icon=":material/chevron_right:",
                      query_params={"batch": str(batch.id), "scope": "all"})
    if record.batches > len(record.recent):
        st.caption(t("只显示最近 {n} 批次。", n=len(record.recent)))
    rapid_views.business_section(ctx, business.id)
    if listings:
        st.subheader(t("红黑榜记录"))
        for entry in listings:
            entry_card(entry, link=False)
    st.subheader(t("投诉举报"))
    if complaints["received"]:
        # Only the counts that are not zero: "已办结 0 件" reads as neglect.
        template = {(True, True): N_("群众对这家单位的投诉举报共 **{received}** 件，已办结 {finished} 件，"
                                     "正在办理 {open} 件（含尚未核实的反映，不等于违法事实）。"),
                    (True, False): N_("群众对这家单位的投诉举报共 **{received}** 件，已办结 {finished} 件"
                                      "（含尚未核实的反映，不等于违法事实）。"),
                    (False, True): N_("群众对这家单位的投诉举报共 **{received}** 件，正在办理 {open} 件"
                                      "（含尚未核实的反映，不等于违法事实）。"),
                    (False, False): N_("群众对这家单位的投诉举报共 **{received}** 件，正在审查是否受理"
                                       "（含尚未核实的反映，不等于违法事实）。")}
        st.markdown(t(template[bool(complaints["finished"]), bool(complaints["open"])], **complaints))
    else:
        st.markdown(t("目前没有关于这家单位的投诉举报。"))
    page_link("pages/complaint.py", label=t("投诉或举报这家单位"), icon=":material/campaign:",
              query_params={"business": str(business.id)})
    st.stop()

show_address(listed)     # after 返回商户查询 or 下一页 (links keep the address as it was)
st.title(t("商户查询"), anchor=False)
st.markdown(t("输入商店、餐馆、食堂或食品企业的名称（或地址中的一段），查看它的登记信息和抽检记录。"))
demo_notice(cached.demo_present(ctx))
for problem in problems:
    st.warning(t("链接中的条件有误：{problem}", problem=md(problem)))
with st.form("business_search"):
    q = st.text_input(t("名称或地址"), value=flt.q, max_chars=MAX_QUERY,
                      placeholder=t("例如：超市、米粉、人民路"))
    left, right = st.columns(2)
    district_options = [""] + [d.adcode for d in ctx.profile.districts]
    district = left.selectbox(t("区县"), district_options,
                              index=district_options.index(flt.district)
                              if flt.district in district_options else 0,
                              format_func=lambda c: names.get(c, t("全部区县")) if c else t("全部区县"))
    type_options = [""] + cached.business_types(ctx)
    business_type = right.selectbox(t("类型"), type_options,
                                    index=type_options.index(flt.type)
                                    if flt.type in type_options else 0,
                                    format_func=lambda kind: term(kind) if kind else t("全部类型"))
    if st.form_submit_button(t("查询"), type="primary", icon=":material/search:"):
        new, _ = BusinessFilter.from_params({"q": q, "district": district, "type": business_type})
        show_address(new.to_params())      # keeps the language and 大字版
        st.rerun()

if flt.is_empty:
    st.caption(t("请输入名称或选择区县、类型后查询。"))
    st.stop()
page = id_param(params, "page") or 1
with ctx.db.read() as session:
    total, rows = queries.search(session, ctx.profile.adcode, flt, page)
if not total:
    st.info(t("没有找到符合条件的商户。请只输入名称中的两三个字再试，或放宽区县、类型条件。"))
    st.stop()
pages = -(-total // queries.PAGE_SIZE)
st.markdown(t("共找到 **{total:,}** 家，第 {page} / {pages} 页。", total=total, page=min(page, pages),
              pages=pages))
for business in rows:
    with st.container(border=True):
        page_link("pages/business.py", label=f"**{md(business.name)}**",
                  query_params={**listed, "id": str(business.id)})
        st.caption(f"{md(term(business.business_type))} · {names.get(business.district_adcode, '')} · {md(business.address)}")
base = flt.to_params()
left, right = st.columns(2)
if page > 1:
    page_link("pages/business.py", container=left, label=t("上一页"), query_params={**base, "page": str(page - 1)})
if page < pages:
    page_link("pages/business.py", container=right, label=t("下一页"), query_params={**base, "page": str(page + 1)})
