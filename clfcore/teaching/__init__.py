"""Teaching: what the course explains by hand, computed on real layers and the class's own runs.

``convolution`` is the convolution lab (kernels, padding, stride, pooling, the output-size rule,
one window at a time, through the same Keras layers a model uses); ``lessons`` is the course as
guided lessons whose "what to notice" reads the student's own runs.
"""
