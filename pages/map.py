"""餐饮地图: every business on one map, coloured by its rating, clustered; works offline."""

import json

import folium
import pandas as pd

import streamlit as st

from portal import i18n, map_feed
from portal.map_layers import DISTRICT_FIGURES
from portal.i18n import N_, both, t
from portal.maps import (CLASSES, LEGEND_COLOURS, PIN_LETTERS, NearMeControl, add_ring_layer, add_room_layer,
                         business_map,
                         district_map, ensure_assets, from_display_crs, here_marker, popup_words,
                         to_display_crs)
from portal.ratings.nearby import nearby, point_from_client
from portal.ratings.queries import CANTEENS_FOR_THE_YOUNG_AND_OLD, MapFilter
from portal.registry.places import MAX_PLACE_QUERY, find_place
from portal.timeutil import local_today
from portal.ui import cached
from portal.ui.folium_views import folium_map
from portal.ui.i18n_views import district_labels
from portal.ui.layout import page_setup
from portal.ui.nearby_views import FOCUS, HERE, PLACE_KINDS, SEEN_CLICK, nearby_list
from portal.ui.widgets import demo_notice, md

ctx = page_setup("餐饮地图", layout="wide", english=True)
st.title(t("餐饮地图"), anchor=False)
st.markdown(t("点地图上的“附近”或输入地址，查看身边餐饮单位的等级。"))
demo_notice(cached.demo_present(ctx))
names = district_labels(ctx)

view = st.segmented_control(t("查看方式"), [N_("单位分布"), N_("区县对比")], default=N_("单位分布"),
                            format_func=t, label_visibility="collapsed")
ensure_assets()
tiles = None if ctx.settings.map_tiles == "none" else ctx.settings.map_tiles

if view == "区县对比":
    figure = st.selectbox(t("按哪一项对比"), list(DISTRICT_FIGURES),
                          format_func=lambda key: t(DISTRICT_FIGURES[key]))
    values = cached.district_values(ctx, figure)
    folium_map(("district_map", figure, tuple(values.items()), ctx.profile.adcode, tiles, ctx.settings.tianditu_key),
               lambda: district_map(cached.boundaries(ctx), values, t(DISTRICT_FIGURES[figure]), ctx.profile.centre,
                                    ctx.profile.zoom, tiles=tiles, key=ctx.settings.tianditu_key),
               height=520, returned_objects=[], key="district_map")
    st.table(pd.DataFrame([{both("区县"): names.get(code, code), both(DISTRICT_FIGURES[figure]): value}
                           for code, value in values.items()]).set_index(both("区县")))
    st.caption(t("颜色越深，数值越高。年度 A 级占比按近 12 个月有检查记录的餐饮单位计算。"))
    st.stop()

with st.form("where", border=False, enter_to_submit=True):
    place_col, button_col = st.columns([4, 1], vertical_alignment="bottom")
    where = place_col.text_input(t("地址、道路、小区或单位名称"), max_chars=MAX_PLACE_QUERY,
                                 placeholder=t("地址、道路、小区或单位名称，如：人民路"),
                                 label_visibility="collapsed")
    find = button_col.form_submit_button(t("查找"), icon=":material/search:", width="stretch")
if find:
    with ctx.db.read() as session:
        place = find_place(session, ctx.profile.adcode, where, ctx.profile.shapes())
    if place is None:
        st.warning(t("在本市登记的地址和单位名称中没有找到“{text}”。请换一种写法，如只写道路名“人民路”，"
                     "或点地图上的位置。", text=md(where[:MAX_PLACE_QUERY])))
    else:
        st.session_state[HERE] = (place.lat, place.lng,
                                  t(PLACE_KINDS[place.kind], label=md(place.label), n=place.matches))
        st.session_state[FOCUS] = (place.lat, place.lng)

with st.expander(t("筛选：“一老一小”、类型、等级、明厨亮灶、区县、名称、快检室")):
    young_old = st.toggle(t("只看“一老一小”（学校、养老机构食堂）"))
    left, middle, right = st.columns(3)
    kind_options = cached.business_types(ctx)
    kinds = left.multiselect(t("类型"), kind_options, placeholder=t("全部类型"), disabled=young_old,
                             format_func=t)
    classes = middle.multiselect(t("等级"), [c for c, _, _ in CLASSES], placeholder=t("全部等级"),
                                 format_func=t)
    kitchen = right.selectbox(t("明厨亮灶"), ["", N_("透明厨房"), N_("视频厨房"), N_("互联网+明厨亮灶")],
                              format_func=lambda k: t(k) if k else t("不限"))
    left, right = st.columns(2)
    district = left.selectbox(t("区县"), [""] + [d.adcode for d in ctx.profile.districts],
                              format_func=lambda c: names.get(c, t("全部区县")) if c else t("全部区县"))
    name = right.text_input(t("名称包含"), max_chars=30)
    layer = st.query_params.get("layer", "")
    show_failed = st.checkbox(t("标出近一年抽检不合格的单位（红圈）"), value=layer == "failed")
    show_black = st.checkbox(t("标出黑榜单位（黑圈）"), value=layer == "black")
    show_rooms = st.checkbox(t("标出快检室（可预约免费检测食品，绿色方块“检”）"), value=layer == "test_rooms")

flt = MapFilter(kinds=tuple(CANTEENS_FOR_THE_YOUNG_AND_OLD if young_old else kinds),
                classes=tuple(classes), district=district, kitchen=kitchen, name=name.strip())

# The map fetches its points (portal.map_feed); the page reads the same entry for the count.
crs = map_feed.crs_for(tiles)
points = cached.map_points(ctx, flt, crs)
link_query = "&lang=en" if i18n.english() else ""


def build_map():
    fmap = business_map(address, {kind: t(kind) for kind in points.kinds}, ctx.profile.centre,
                        ctx.profile.zoom, ctx.profile.boundaries_path, tiles=tiles,
                        key=ctx.settings.tianditu_key, words=popup_words(t),
                        labels=[t(label) for _, _, label in CLASSES], link_query=link_query)
    NearMeControl(t("显示我附近的单位（需允许浏览器使用位置）"), t("附近"),
                  t("没有取得您的位置：请允许浏览器使用位置信息（网站需通过 https 访问），或在地图上方输入地址。")
                  ).add_to(fmap)
    if show_failed or show_black:
        failed, black = cached.map_layers(ctx)
        open_text = t("查看这家单位")
    if show_failed:
        failed_line = json.dumps(t("近一年抽检不合格 {n} 批次"))
        add_ring_layer(fmap, failed, t("抽检不合格单位"), "#dc2626",
                       f'{failed_line}.replace("{{n}}", row[3])', tiles, open_text, link_query)
    if show_black:
        add_ring_layer(fmap, black, t("黑榜单位"), "#111827",
                       json.dumps(t("在严重违法失信名单（黑榜）上")), tiles, open_text, link_query)
    if show_rooms:
        add_room_layer(fmap, cached.test_room_rows(ctx), t("快检室"), t("查看开放时间并预约送检"), tiles,
                       link_query)
    if show_failed or show_black or show_rooms:
        folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap


# The map is rendered once per what it is drawn from (portal.ui.folium_views); the rings'
# and rooms' rows are those of the data version and the day.
address = map_feed.address(flt, crs, points.etag)
drawn_from = ("business_map", address, ctx.profile.adcode, tiles, ctx.settings.tianditu_key, link_query,
              show_failed, show_black, show_rooms,
              (cached.version(ctx), local_today()) if show_failed or show_black or show_rooms else None)
here = st.session_state.get(HERE)
focus = st.session_state.get(FOCUS)
returned = folium_map(drawn_from, build_map, height=520, returned_objects=["last_clicked"],
                      key="business_map", feature_group=here_marker(here, tiles, t("量起点")),
                      center=to_display_crs(tiles, *focus) if focus else None, zoom=16 if focus else None)
# The 附近 button hands the phone's position over as a click at that point; a tap on the map
# means "near here" too. Each new click is taken once.
clicked = point_from_client((returned or {}).get("last_clicked"))
if clicked and clicked != st.session_state.get(SEEN_CLICK):
    st.session_state[SEEN_CLICK] = clicked
    lat, lng = from_display_crs(tiles, *clicked)
    st.session_state[HERE] = here = (lat, lng, t(PLACE_KINDS["tapped"]))
    st.session_state.pop(FOCUS, None)
    st.rerun()    # draws the marker at the new point and the list for it

st.markdown(t("地图上共 **{n:,}** 家。", n=points.count)
            + ("" if points.count else t("没有符合条件的单位，请放宽筛选条件。")))
st.markdown(t("图例：") + "　".join(f":{LEGEND_COLOURS[cls]}-background[**{PIN_LETTERS[cls]}**] {t(label)}"
                                    for cls, _, label in CLASSES))
with st.expander(t("怎样使用地图")):
    st.markdown(t("地图上的每个圆点是一家登记在册的食品经营单位，圆点里的字和颜色表示餐饮单位最近的量化分级"
                  "动态等级（如“优”为优秀）。数字圆圈是附近单位的数量，放大后展开。点击圆点（或用 Tab 键选中后按回车）"
                  "可看到名称，并进入该单位的页面。点“附近”按钮，浏览器会询问是否允许使用您的位置；"
                  "位置只在您的浏览器和本页之间使用，不会保存。"))
if here:
    rows = cached.map_points(ctx, flt).rows()      # as stored (WGS-84), whatever the tiles
    with ctx.db.read() as session:
        items = nearby(session, rows, here[0], here[1], local_today())
    nearby_list(items, here[2])
else:
    st.caption(t("点“附近”、在地图上点一处或输入地址后，地图下方会按距离列出最近的单位，不用地图也能查看。"))
TILE_NAMES = {"OpenStreetMap": "OpenStreetMap", "tianditu": N_("天地图"), "amap": N_("高德地图"),
              "none": N_("无（仅显示区县边界）")}
st.caption(t("区县边界来自阿里云 DataV（已转换为 WGS-84），仅供演示；底图：{tiles}。",
             tiles=t(TILE_NAMES[ctx.settings.map_tiles])))
