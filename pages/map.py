"""餐饮地图: every business on one map, coloured by its rating, clustered; works offline."""

import folium
import pandas as pd

import streamlit as st
from streamlit_folium import st_folium

from portal.map_layers import DISTRICT_FIGURES
from portal.maps import (CLASSES, LEGEND_COLOURS, PIN_LETTERS, add_ring_layer, business_map, district_map,
                         ensure_assets)
from portal.ratings.queries import CANTEENS_FOR_THE_YOUNG_AND_OLD, MapFilter
from portal.registry.queries import business_types
from portal.ui import cached
from portal.ui.layout import page_setup
from portal.ui.widgets import demo_notice

ctx = page_setup("餐饮地图", layout="wide")
st.title("餐饮地图", anchor=False)
st.markdown("地图上的每个圆点是一家登记在册的食品经营单位，圆点里的字和颜色表示餐饮单位最近的量化分级"
            "动态等级（如“优”为优秀）。数字圆圈是附近单位的数量，放大后展开。点击圆点（或用 Tab 键选中后按回车）"
            "可进入该单位的页面。")
demo_notice(cached.demo_present(ctx))
names = cached.district_names(ctx)

view = st.segmented_control("查看方式", ["单位分布", "区县对比"], default="单位分布")
ensure_assets()
boundaries = cached.boundaries(ctx)
tiles = None if ctx.settings.map_tiles == "none" else ctx.settings.map_tiles

if view == "区县对比":
    figure = st.selectbox("按哪一项对比", list(DISTRICT_FIGURES), format_func=DISTRICT_FIGURES.get)
    values = cached.district_values(ctx, figure)
    st_folium(district_map(boundaries, values, DISTRICT_FIGURES[figure], ctx.profile.centre,
                           ctx.profile.zoom, tiles=tiles, key=ctx.settings.tianditu_key),
              height=520, use_container_width=True, returned_objects=[], key="district_map")
    st.table(pd.DataFrame([{"区县": names.get(code, code), DISTRICT_FIGURES[figure]: value}
                           for code, value in values.items()]).set_index("区县"))
    st.caption("颜色越深，数值越高。年度 A 级占比按近 12 个月有检查记录的餐饮单位计算。")
    st.stop()

young_old = st.toggle("只看“一老一小”（学校、养老机构食堂）")
with st.expander("更多筛选：类型、等级、明厨亮灶、区县、名称"):
    left, middle, right = st.columns(3)
    with ctx.db.read() as session:
        kind_options = business_types(session, ctx.profile.adcode)
    kinds = left.multiselect("类型", kind_options, placeholder="全部类型", disabled=young_old)
    classes = middle.multiselect("等级", [c for c, _, _ in CLASSES], placeholder="全部等级")
    kitchen = right.selectbox("明厨亮灶", ["", "透明厨房", "视频厨房", "互联网+明厨亮灶"],
                              format_func=lambda k: k or "不限")
    left, right = st.columns(2)
    district = left.selectbox("区县", [""] + [d.adcode for d in ctx.profile.districts],
                              format_func=lambda c: names.get(c, "全部区县") if c else "全部区县")
    name = right.text_input("名称包含", max_chars=30)

flt = MapFilter(kinds=tuple(CANTEENS_FOR_THE_YOUNG_AND_OLD if young_old else kinds),
                classes=tuple(classes), district=district, kitchen=kitchen, name=name.strip())


rows, kind_names = cached.map_points(ctx, flt)
st.markdown(f"地图上共 **{len(rows):,}** 家。" + ("" if rows else "没有符合条件的单位，请放宽筛选条件。"))
st.markdown("图例：" + "　".join(f":{LEGEND_COLOURS[cls]}-background[**{PIN_LETTERS[cls]}**] {label}"
                                 for cls, _, label in CLASSES))
left, right = st.columns(2)
layer = st.query_params.get("layer", "")
show_failed = left.checkbox("标出近一年抽检不合格的单位（红圈）", value=layer == "failed")
show_black = right.checkbox("标出黑榜单位（黑圈）", value=layer == "black")
fmap = business_map(rows, kind_names, ctx.profile.centre, ctx.profile.zoom, boundaries, tiles=tiles,
                    key=ctx.settings.tianditu_key)
failed, black = cached.map_layers(ctx)
if show_failed:
    add_ring_layer(fmap, failed, "抽检不合格单位", "#dc2626", '"近一年抽检不合格 " + row[3] + " 批次"',
                   tiles)
if show_black:
    add_ring_layer(fmap, black, "黑榜单位", "#111827", '"在严重违法失信名单（黑榜）上"', tiles)
if show_failed or show_black:
    folium.LayerControl(collapsed=False).add_to(fmap)
st_folium(fmap, height=560, use_container_width=True, returned_objects=[], key="business_map")
TILE_NAMES = {"OpenStreetMap": "OpenStreetMap", "tianditu": "天地图", "amap": "高德地图",
              "none": "无（仅显示区县边界）"}
st.caption("区县边界来自阿里云 DataV（已转换为 WGS-84），仅供演示；底图："
           + TILE_NAMES[ctx.settings.map_tiles] + "。")
