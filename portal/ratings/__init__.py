"""Restaurant and canteen ratings (餐饮服务食品安全量化分级) and 明厨亮灶."""
