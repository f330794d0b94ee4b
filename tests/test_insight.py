"""Inside the network: feature maps, filters, Dense templates, penultimate features and their 2-D
projections."""

import keras
import numpy as np
import pytest

from clfcore.errors import UserInputError
from clfcore.inference import gradcam, insight
from clfcore.models import architectures


@pytest.fixture(scope="module")
def lenet():
    keras.utils.set_random_seed(3)
    return architectures.build_model("lenet", (8, 8, 1), 3)  # resized to 28x28 inside the model


@pytest.fixture(scope="module")
def mlp():
    keras.utils.set_random_seed(4)
    return architectures.build_model("mlp", (8, 8, 1), 3, options={"units": 12})


def images(count=6, shape=(8, 8, 1), seed=0):
    return np.random.default_rng(seed).uniform(0, 1, (count, *shape)).astype(np.float32)


# --- feature maps ---------------------------------------------------------------------------------


def test_spatial_layers_are_the_convolutions_and_poolings(lenet, mlp):
    assert [lenet.get_layer(n).__class__.__name__ for n in insight.spatial_layer_names(lenet)] == [
        "Resizing",
        "Conv2D",
        "AveragePooling2D",
        "Conv2D",
        "AveragePooling2D",
    ]
    assert insight.spatial_layer_names(mlp) == []


def test_feature_maps_are_the_layers_output_for_the_image(lenet):
    image = images(1)[0]
    first, second = gradcam.conv_layer_names(lenet)
    maps = insight.feature_maps(lenet, image, first)
    assert maps.shape == (28, 28, 6) and maps.dtype == np.float32
    # the Resizing layer, then the first convolution, by hand
    resized = lenet.layers[1](image[None])
    np.testing.assert_allclose(maps, np.asarray(lenet.get_layer(first)(resized))[0], atol=1e-5)
    assert insight.feature_maps(lenet, image, second).shape == (10, 10, 16)
    # grayscale without channel axis
    assert insight.feature_maps(lenet, image[..., 0], second).shape == (
        10,
        10,
        16,
    )


def test_feature_maps_refuse_unknown_layers_several_images_and_the_mlp(lenet, mlp):
    with pytest.raises(UserInputError, match="no layer with feature maps named 'dense'"):
        insight.feature_maps(lenet, images(1)[0], "dense")
    with pytest.raises(UserInputError, match="one image"):
        insight.feature_maps(lenet, images(2), gradcam.conv_layer_names(lenet)[0])
    with pytest.raises(UserInputError, match="no convolution layer"):
        insight.feature_maps(mlp, images(1)[0], "dense")


# --- filters and templates ------------------------------------------------------------------------


def test_first_layer_filters_are_each_scaled_to_0_1(lenet):
    filters = insight.first_layer_filters(lenet)
    kernel = np.asarray(lenet.get_layer(gradcam.conv_layer_names(lenet)[0]).kernel)
    assert filters.shape == kernel.shape == (5, 5, 1, 6)
    np.testing.assert_allclose(filters.min(axis=(0, 1, 2)), 0, atol=1e-6)
    np.testing.assert_allclose(filters.max(axis=(0, 1, 2)), 1, atol=1e-6)
    for f in range(6):  # a per-filter linear rescaling: same order of weights
        assert np.argmax(filters[..., f]) == np.argmax(kernel[..., f]) and np.argmin(
            filters[..., f]
        ) == np.argmin(kernel[..., f])


def test_rgb_filters_keep_their_three_input_channels():
    cnn = architectures.build_model("course_cifar_cnn", (32, 32, 3), 10)
    assert insight.first_layer_filters(cnn).shape == (3, 3, 3, 32)


def test_the_mlp_has_no_filters_but_dense_templates(mlp, lenet):
    with pytest.raises(UserInputError, match="no convolution layer"):
        insight.first_layer_filters(mlp)
    templates = insight.first_dense_templates(mlp)
    kernel = np.asarray(
        mlp.get_layer(
            next(layer.name for layer in mlp.layers if layer.__class__.__name__ == "Dense")
        ).kernel
    )
    assert templates.shape == (12, 8, 8, 1)
    np.testing.assert_allclose(np.abs(templates).reshape(12, -1).max(axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(
        templates[5].reshape(-1), kernel[:, 5] / np.abs(kernel[:, 5]).max(), atol=1e-6
    )
    with pytest.raises(UserInputError, match="straight to a Dense layer"):
        insight.first_dense_templates(lenet)


# --- penultimate features -------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["lenet", "mlp"])
def test_penultimate_features_are_what_the_output_layer_classifies(which, request):
    model = request.getfixturevalue(which)
    x = images(7)
    # several batches, the last one short
    features = insight.penultimate_features(model, x, batch_size=3)
    assert features.shape == (7, {"lenet": 84, "mlp": 12}[which]) and features.dtype == np.float32
    output = model.layers[-1]
    np.testing.assert_allclose(np.asarray(output(features)), model.predict(x, verbose=0), atol=1e-5)
    np.testing.assert_allclose(insight.penultimate_features(model, x), features, atol=1e-6)
    _features2, outputs = insight.features_and_outputs(model, x)
    np.testing.assert_allclose(outputs, model.predict(x, verbose=0), atol=1e-5)
    with pytest.raises(UserInputError, match="batch size"):
        insight.penultimate_features(model, x, batch_size=0)


def test_insight_leaves_the_model_unchanged(lenet):
    x = images(4, seed=9)
    before, weights = lenet.predict(x, verbose=0), [w.copy() for w in lenet.get_weights()]
    layers = list(lenet.layers)
    for name in insight.spatial_layer_names(lenet):
        insight.feature_maps(lenet, x[0], name)
    insight.first_layer_filters(lenet)
    insight.penultimate_features(lenet, x)
    assert list(lenet.layers) == layers and len(lenet.outputs) == 1
    for old, new in zip(weights, lenet.get_weights()):
        np.testing.assert_array_equal(old, new)
    np.testing.assert_array_equal(lenet.predict(x, verbose=0), before)


# --- projections ----------------------------------------------------------------------------------


def clusters(per_class=30, dims=20, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 6, (classes, dims))
    labels = np.repeat(np.arange(classes), per_class)
    return (centres[labels] + rng.normal(0, 1, (len(labels), dims))).astype(np.float32), labels


def separation(points, labels) -> float:
    """Mean distance between class centres over the mean spread inside a class."""
    centres = np.array([points[labels == c].mean(axis=0) for c in np.unique(labels)])
    spread = np.mean(
        [
            np.linalg.norm(points[labels == c] - centres[i], axis=1).mean()
            for i, c in enumerate(np.unique(labels))
        ]
    )
    between = np.mean(
        [np.linalg.norm(a - b) for i, a in enumerate(centres) for b in centres[i + 1 :]]
    )
    return between / spread


@pytest.mark.parametrize("method", ["pca", "tsne"])
def test_projections_keep_clusters_apart_and_are_reproducible(method):
    features, labels = clusters()
    points = insight.project_2d(features, method, seed=1)
    assert points.shape == (90, 2) and points.dtype == np.float32
    assert separation(points, labels) > 3
    np.testing.assert_allclose(insight.project_2d(features, method, seed=1), points, atol=1e-5)


def test_pca_of_few_points_or_one_feature_pads_with_zeros():
    assert insight.project_2d(np.ones((1, 5)), "pca").shape == (1, 2)
    points = insight.project_2d(np.arange(6, dtype=np.float32)[:, None], "pca")
    assert points.shape == (6, 2) and np.all(points[:, 1] == 0) and np.ptp(points[:, 0]) > 0
    first, second = insight.explained_variance(clusters()[0])
    assert 0 < second <= first and first + second <= 1 + 1e-6


def test_tsne_works_for_a_handful_of_points_and_refuses_too_few_or_too_many():
    # perplexity below the number of points
    assert insight.project_2d(clusters(per_class=2)[0], "tsne").shape == (
        6,
        2,
    )
    with pytest.raises(UserInputError, match="at least 4 images"):
        insight.project_2d(np.zeros((3, 4)), "tsne")
    with pytest.raises(UserInputError, match="limited to 2,000 images"):
        insight.project_2d(np.zeros((insight.TSNE_MAX_POINTS + 1, 2)), "tsne")
    with pytest.raises(UserInputError, match="Unknown projection 'umap'"):
        insight.project_2d(np.zeros((5, 2)), "umap")
    with pytest.raises(UserInputError, match="features of shape"):
        insight.project_2d(np.zeros(5), "pca")


def test_sample_indices_are_stratified_sorted_and_capped():
    labels = np.array([0] * 900 + [1] * 90 + [2] * 10)
    picked = insight.sample_indices(labels, 100, seed=0)
    assert len(picked) <= 100 and np.all(np.diff(picked) > 0)
    counts = np.bincount(labels[picked], minlength=3)
    assert counts[0] == 90 and counts[1] == 9 and counts[2] == 1
    np.testing.assert_array_equal(insight.sample_indices(labels[:50], 100), np.arange(50))
    many_classes = np.arange(300)
    assert len(insight.sample_indices(many_classes, 100)) == 100


def test_mosaic_lays_tiles_out_with_gaps():
    tiles = np.arange(5 * 2 * 3, dtype=np.float32).reshape(5, 2, 3)
    grid = insight.mosaic(tiles, columns=3)
    assert grid.shape == (2 * 2 + 1, 3 * 3 + 2)
    np.testing.assert_array_equal(grid[0:2, 4:7], tiles[1])
    np.testing.assert_array_equal(grid[3:5, 4:7], tiles[4])
    assert np.isnan(grid[2]).all() and np.isnan(grid[3:5, 8:]).all()
    assert insight.mosaic(np.zeros((4, 2, 2, 3)), fill=1.0).shape == (5, 5, 3)
    with pytest.raises(UserInputError, match="tiles of shape"):
        insight.mosaic(np.zeros((0, 2, 2)))


def test_feature_map_tiles_scale_each_map_to_its_own_peak():
    maps = np.zeros((2, 3, 4), dtype=np.float32)  # (h, w, channels)
    maps[0, 0, 0], maps[1, 2, 0] = 2.0, -4.0
    maps[1, 1, 1] = 0.5  # channel 2 stays zero (a dead map)
    maps[0, 1, 3] = 9.0
    values, scaled, peaks = insight.feature_map_tiles(maps, limit=3)
    assert values.shape == scaled.shape == (3, 2, 3)
    np.testing.assert_allclose(peaks, [4.0, 0.5, 0.0])
    assert scaled[0, 0, 0] == 0.5 and scaled[0, 1, 2] == -1.0
    assert scaled[1, 1, 1] == 1.0
    np.testing.assert_array_equal(scaled[2], 0.0)
    np.testing.assert_array_equal(values[0], maps[:, :, 0])


def test_filter_tiles_put_the_filters_first():
    filters = np.arange(3 * 3 * 2 * 5, dtype=np.float32).reshape(3, 3, 2, 5)
    tiles = insight.filter_tiles(filters, limit=4)
    assert tiles.shape == (4, 3, 3, 2)
    np.testing.assert_array_equal(tiles[1], filters[..., 1])
