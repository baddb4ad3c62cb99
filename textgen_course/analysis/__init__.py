"""The measurements the chapters run on the stages: one module per chapter, like explorers/ and exercises/.

A stage module (lstm_context.py, lstm_summary.py, ...) holds its stage: the Keras builder, the
NumPy version, the PyTorch twin and the cross-check. What a chapter measures with it (probes,
memory curves, the why-gates experiment) lives here, in analysis/<chapter>.py.
"""
