"""Inference: opening untrusted image files, preprocessing them as the dataset expects, predicting,
and looking inside the model (Grad-CAM, feature maps, filters, feature space).
"""
