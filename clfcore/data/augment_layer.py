"""The Keras layer that applies an ``AugmentConfig``: the Augment page's preview and training both
call it.

Kept apart from ``clfcore.data.augment`` because it needs Keras and TensorFlow at import time. The
exported training script (``clfcore.export.codegen``) copies this class verbatim, so it imports only
``math``, ``keras`` and ``tensorflow``.
"""

import math

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="clfcore")
class Augmentation(keras.layers.Layer):
    """Random rotation, shifts, zoom, shear, flips, crop, blur, brightness, contrast, noise and
    erasing.

    The settings have the names of the course's ``ImageDataGenerator`` (rotation_range=10,
    width_shift_range=0.1, ...). Rotation, shifts, zoom, shear and flips are combined into one
    affine transform per image, so each image is resampled once (a chain of RandomRotation,
    RandomTranslation and RandomZoom layers would blur it three times, and take three times as
    long).

    Inactive at inference: with ``training=False`` the images pass unchanged, so the layer can sit
    inside a model. Randomness: pass ``seed`` (two integers) for reproducible, stateless draws - the
    tf.data pipeline gives every batch its own seed, which lets its map run in parallel and stay
    deterministic; without ``seed`` the layer's own generator (``seed`` argument of the constructor)
    is used, as inside a model.

    Input: float32 images in [0, 1], shape (N, height, width, channels).
    Output: the same shape, in [0, 1].
    """

    def __init__(
        self,
        rotation_range=0.0,
        width_shift_range=0.0,
        height_shift_range=0.0,
        zoom_range=0.0,
        shear_range=0.0,
        horizontal_flip=False,
        vertical_flip=False,
        fill_mode="nearest",
        brightness=0.0,
        contrast=0.0,
        noise=0.0,
        blur=0.0,
        erasing=0.0,
        erasing_size=0.3,
        crop_padding=0,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.settings = dict(
            rotation_range=float(rotation_range),
            width_shift_range=float(width_shift_range),
            height_shift_range=float(height_shift_range),
            zoom_range=float(zoom_range),
            shear_range=float(shear_range),
            horizontal_flip=bool(horizontal_flip),
            vertical_flip=bool(vertical_flip),
            fill_mode=str(fill_mode),
            brightness=float(brightness),
            contrast=float(contrast),
            noise=float(noise),
            blur=float(blur),
            erasing=float(erasing),
            erasing_size=float(erasing_size),
            crop_padding=int(crop_padding),
        )
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, images, training=True, seed=None):
        if not training:
            return images
        s = self.settings
        if seed is None:
            seed = self.seed_generator.next()
        # one independent stateless seed per transform: changing one setting never changes the
        # others' draws
        seeds = tf.random.experimental.stateless_split(tf.cast(seed, tf.int64), num=6)
        images = tf.convert_to_tensor(images, dtype=tf.float32)
        if any(
            (
                s["rotation_range"],
                s["width_shift_range"],
                s["height_shift_range"],
                s["zoom_range"],
                s["shear_range"],
                s["horizontal_flip"],
                s["vertical_flip"],
            )
        ):
            images = self._affine(images, seeds[0])
        if s["crop_padding"]:
            images = self._pad_and_crop(images, seeds[1])
        if s["blur"]:
            images = self._blur(images, seeds[2])
        if s["brightness"] or s["contrast"] or s["noise"]:
            images = self._pixels(images, seeds[3], seeds[4])
        if s["erasing"]:
            images = self._erase(images, seeds[5])
        return images

    def _affine(self, images, seed):
        """Rotation, shifts, zoom, shear and flips as one transform about the image centre."""
        s = self.settings
        shape = tf.shape(images)
        n = shape[0]
        height, width = tf.cast(shape[1], tf.float32), tf.cast(shape[2], tf.float32)
        u = tf.random.stateless_uniform([7, n], seed, minval=-1.0, maxval=1.0)
        angle = u[0] * (s["rotation_range"] * math.pi / 180.0)
        shift_x = u[1] * s["width_shift_range"] * width
        shift_y = u[2] * s["height_shift_range"] * height
        zoom = 1.0 + u[3] * s["zoom_range"]  # > 1 enlarges the content
        shear = tf.tan(u[4] * (s["shear_range"] * math.pi / 180.0))
        flip_x = tf.where(u[5] < 0.0, -1.0, 1.0) if s["horizontal_flip"] else tf.ones([n])
        flip_y = tf.where(u[6] < 0.0, -1.0, 1.0) if s["vertical_flip"] else tf.ones([n])
        cos, sin = tf.cos(angle), tf.sin(angle)
        # output pixel -> input pixel, in coordinates centred on the image: rotate(shear(flip(p) /
        # zoom)) + shift
        a00, a01 = cos * flip_x / zoom, (cos * shear - sin) * flip_y / zoom
        a10, a11 = sin * flip_x / zoom, (sin * shear + cos) * flip_y / zoom
        cx, cy = (width - 1.0) / 2.0, (height - 1.0) / 2.0
        b0 = cx + shift_x - (a00 * cx + a01 * cy)
        b1 = cy + shift_y - (a10 * cx + a11 * cy)
        zeros = tf.zeros([n])
        transforms = tf.stack([a00, a01, b0, a10, a11, b1, zeros, zeros], axis=1)
        return keras.ops.image.affine_transform(
            images, transforms, interpolation="bilinear", fill_mode=s["fill_mode"], fill_value=0.0
        )

    def _pad_and_crop(self, images, seed):
        """Pad with black by crop_padding pixels, then cut a random window of the original size (a
        whole-pixel shift)."""
        pad = self.settings["crop_padding"]
        n = tf.shape(images)[0]
        offsets = tf.cast(
            tf.random.stateless_uniform([2, n], seed, minval=-pad, maxval=pad + 1, dtype=tf.int32),
            tf.float32,
        )
        ones, zeros = tf.ones([n]), tf.zeros([n])
        transforms = tf.stack(
            [ones, zeros, offsets[0], zeros, ones, offsets[1], zeros, zeros], axis=1
        )
        return keras.ops.image.affine_transform(
            images, transforms, interpolation="nearest", fill_mode="constant", fill_value=0.0
        )

    def _blur(self, images, seed):
        """A Gaussian blur whose sigma is drawn per image between 0 and blur pixels (separable)."""
        max_sigma = self.settings["blur"]
        radius = max(1, math.ceil(2.0 * max_sigma))
        n = tf.shape(images)[0]
        sigma = tf.maximum(tf.random.stateless_uniform([n], seed, maxval=max_sigma), 1e-3)
        offsets = tf.range(-radius, radius + 1, dtype=tf.float32)
        weights = tf.exp(-tf.square(offsets)[None, :] / (2.0 * tf.square(sigma)[:, None]))
        weights = weights / tf.reduce_sum(weights, axis=1, keepdims=True)  # (n, 2 * radius + 1)
        for axis in (1, 2):
            padding = [[0, 0], [0, 0], [0, 0], [0, 0]]
            padding[axis] = [radius, radius]
            padded = tf.pad(images, padding, mode="SYMMETRIC")
            size = tf.shape(images)[axis]
            total = tf.zeros_like(images)
            for k in range(2 * radius + 1):
                window = padded[:, k : k + size] if axis == 1 else padded[:, :, k : k + size]
                total += weights[:, k, None, None, None] * window
            images = total
        return images

    def _pixels(self, images, seed, noise_seed):
        """Brightness and contrast per image, then Gaussian noise per pixel; clipped back to [0,
        1]."""
        s = self.settings
        n = tf.shape(images)[0]
        u = tf.random.stateless_uniform([2, n], seed, minval=-1.0, maxval=1.0)
        if s["contrast"]:
            mean = tf.reduce_mean(images, axis=[1, 2], keepdims=True)
            images = (images - mean) * (1.0 + u[0] * s["contrast"])[:, None, None, None] + mean
        if s["brightness"]:
            images = images + (u[1] * s["brightness"])[:, None, None, None]
        if s["noise"]:
            images = images + tf.random.stateless_normal(
                tf.shape(images), noise_seed, stddev=s["noise"]
            )
        return tf.clip_by_value(images, 0.0, 1.0)

    def _erase(self, images, seed):
        """With probability erasing, fill a random rectangle of each image with that image's
        mean."""
        s = self.settings
        shape = tf.shape(images)
        n, height, width = shape[0], tf.cast(shape[1], tf.float32), tf.cast(shape[2], tf.float32)
        u = tf.random.stateless_uniform([5, n], seed)
        # between half and all of erasing_size
        box_h = (0.5 + 0.5 * u[0]) * s["erasing_size"] * height
        box_w = (0.5 + 0.5 * u[1]) * s["erasing_size"] * width
        top = u[2] * (height - box_h)
        left = u[3] * (width - box_w)
        erase = u[4] < s["erasing"]
        rows = tf.range(height)[None, :, None]
        cols = tf.range(width)[None, None, :]
        inside = (
            (rows >= top[:, None, None])
            & (rows < (top + box_h)[:, None, None])
            & (cols >= left[:, None, None])
            & (cols < (left + box_w)[:, None, None])
            & erase[:, None, None]
        )
        mean = tf.reduce_mean(images, axis=[1, 2, 3], keepdims=True)
        return tf.where(inside[..., None], mean, images)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), **self.settings, "seed": self.seed}
