"""Explanations: the baseline and its moves, what rules cost, and the plan in sentences.

``kantorovich.explain(result)`` (a function of the top package) gives the sentences
(`kantorovich.explain.story.explain`); the modules here are imported by their full names,
``from kantorovich.explain.story import explain``. Nothing is imported here, so that the
top package can load this one at no cost.
"""
