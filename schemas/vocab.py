"""Vocabularies of the ledgers, as the implementation plan (seed) names them."""

CATEGORIES = (
    "惠民政策和专项资金",
    "集体三资管理",
    "征地拆迁和旧城改造",
    "执法和窗口服务",
    "工程建设",
    "作风和不作为",
    "违反八项规定",
    "其他微腐败问题",
)
METHODS = ("自查自纠", "专项督查", "随机抽查", "交叉检查", "明察暗访", "巡察", "信访举报", "其他")
NATURES = ("违纪违法", "一般问题", "隐患风险", "无问题")
NO_PROBLEM = "无问题"
COMPLETION = ("已完成", "整改中", "未整改")
DONE = "已完成"
