"""A team whose review has one subjective indicator and no self-assessment weight: a review's total
is its manager's score."""

SUBJECTIVE = """\
company: {name: 测试}
team:
  - {id: lin, name: 林海, role: manager}
  - {id: zhang, name: 张伟, role: rep, manager: lin}
review:
  self_weight: 0
  indicators: [{name: overall, weight: 100}]
"""
