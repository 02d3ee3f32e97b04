"""organize-backend: reorganize a flat Python backend into packages with rope.

The pipeline, one plain function per stage:

    take_snapshot -> make_plan -> compute_changes -> apply_changes | render_diff | (LSP edit)
"""

__version__ = "0.1.0"
