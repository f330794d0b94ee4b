"""The course's lessons, in order (what a lesson is, and how its setup becomes a training:
``clfcore.teaching.lessons``). The texts follow the course notes (../shared/seeds); each is an
English msgid, translated where it is shown.

    >>> from clfcore.teaching.lessons import train_config
    >>> step = get_lesson("first_network").steps[2]
    >>> train_config(step.setup, "fashion_mnist").epochs
    10
"""

from __future__ import annotations

from clfcore.errors import UserInputError
from clfcore.i18n import N_
from clfcore.teaching.lessons import Lesson, Setup, Step

_DIGITS = ("mnist", "fashion_mnist", "digits")
_PHOTOS = ("cifar10", "fashion_mnist", "digits")
_MLP = Setup(_DIGITS, "mlp", settings={"epochs": 10})
_CNN = Setup(_PHOTOS, "course_cifar_cnn", settings={"epochs": 15, "train_size": 10_000})
_CNN_AUGMENTED = Setup(
    _PHOTOS, "course_cifar_cnn", settings={"epochs": 15, "train_size": 10_000}, augment=True
)
_SCRATCH = Setup(_PHOTOS, "recommended", settings={"epochs": 10, "train_size": 2_000})
_TRANSFER = Setup(_PHOTOS, "mobilenetv2", settings={"epochs": 5, "train_size": 2_000})

PRECISION = (N_("Precision"), r"\text{precision} = \frac{TP}{TP + FP}")
RECALL = (N_("Recall"), r"\text{recall} = \frac{TP}{TP + FN}")
F1 = (
    N_("F1 score"),
    r"F_1 = 2\,\frac{\text{precision} \cdot \text{recall}}{\text{precision} + \text{recall}}"
    r" = \frac{2\,TP}{2\,TP + FP + FN}",
)
SPECIFICITY = (N_("Specificity"), r"\text{specificity} = \frac{TN}{TN + FP}")
NPV = (N_("Negative predictive value"), r"\text{NPV} = \frac{TN}{TN + FN}")
ACCURACY = (
    N_("Accuracy"),
    r"\text{accuracy} = \frac{TP + TN}{TP + TN + FP + FN}",
)
OUTPUT_SIZE = (N_("Output size"), r"W' = \frac{W - K + 2P}{S} + 1")

LESSONS: tuple[Lesson, ...] = (
    Lesson(
        "first_network",
        N_("1. Your first deep network"),
        N_(
            "The course's first practice: a multilayer perceptron (MLP) learns to read "
            "handwritten digits. Ten epochs, a couple of minutes, and your first learning curves."
        ),
        (
            Step(
                "look",
                N_("Look at the data"),
                N_(
                    "Browse the images on the Dataset page: 28x28 grey pixels in ten classes, "
                    "60,000 for training and 10,000 for the test."
                ),
                N_(
                    "A model only learns what the images show. Seeing them first tells you which "
                    "classes look alike, and so which mistakes to expect."
                ),
                _MLP,
                page="dataset",
                notice=N_(
                    "Each pixel is a number from 0 to 255; the model gets it divided by 255, "
                    "between 0 and 1. The 20 % validation set is cut from the training images, "
                    "never from the test images."
                ),
            ),
            Step(
                "build",
                N_("Build the MLP"),
                N_(
                    "The Model page now has the course's MLP: the image flattened into one row "
                    "of 784 numbers, a Dense layer of 256 ReLU units and an output layer of 10 "
                    "softmax units, one per class."
                ),
                N_(
                    "It is the simplest network that still learns the digits well. It ignores "
                    "where each pixel is, which is why the next lessons need convolutions."
                ),
                _MLP,
                page="model",
                notice=N_(
                    "The hidden layer has 784 x 256 + 256 = 200,960 parameters. The labels are "
                    "one-hot vectors (Keras's to_categorical): a 3 becomes "
                    "[0, 0, 0, 1, 0, 0, 0, 0, 0, 0], so the loss is categorical cross-entropy."
                ),
            ),
            Step(
                "train",
                N_("Train it for 10 epochs"),
                N_(
                    "Start the training as in the practice: RMSprop, batches of 128 images, "
                    "10 epochs. Watch the loss fall and the accuracy rise, epoch by epoch."
                ),
                N_(
                    "An epoch is one pass over all the training images. The validation curve "
                    "shows how the model does on images it does not learn from."
                ),
                _MLP,
                page="train",
                notice=N_(
                    "After 10 epochs, expect a test accuracy near 98 % with MNIST (near 88 % "
                    "with Fashion-MNIST)."
                ),
                rules=("learning", "test_accuracy"),
            ),
            Step(
                "classify",
                N_("Classify your own digit"),
                N_(
                    "On the Classify page, draw a digit or upload a photo of one written on "
                    "paper, and read the ten probabilities."
                ),
                N_(
                    "The test images come from the same source as the training ones; your "
                    "handwriting does not. This is the real test of whether the model "
                    "generalises."
                ),
                _MLP,
                page="classify",
                notice=N_(
                    "MNIST digits are centred, thick and fill most of the square. A thin, small "
                    "or off-centre digit is often misread: draw big and in the middle."
                ),
            ),
        ),
    ),
    Lesson(
        "cnn_overfitting",
        N_("2. A CNN, and overfitting"),
        N_(
            "A convolutional network on the colour photos of CIFAR-10 (Fashion-MNIST when "
            "CIFAR-10 is not on this machine). It learns far more than the MLP, and it also "
            "shows the commonest problem of deep learning: overfitting."
        ),
        (
            Step(
                "build_cnn",
                N_("The course's CNN"),
                N_(
                    "Three blocks of two 3x3 convolutions with max pooling and dropout, then a "
                    "Dense layer of 512 units. It trains on 10,000 of the training images for 15 "
                    "epochs, so it finishes in minutes on a laptop."
                ),
                N_(
                    "A convolution looks at small patches of pixels and slides the same filter "
                    "over the whole image: it finds an edge or a texture wherever it is. An MLP "
                    "has to learn every position separately."
                ),
                _CNN,
                page="model",
                notice=N_(
                    "In the summary, most parameters are in the Dense layer: each convolution "
                    "filter has only 3 x 3 weights per input channel, shared across the image."
                ),
            ),
            Step(
                "train_cnn",
                N_("Train it and watch both curves"),
                N_(
                    "Start the training and follow the two accuracy curves: training (the "
                    "images the model learns from) and validation (images it is only tested on)."
                ),
                N_(
                    "While both rise together, the model learns what generalises. When "
                    "validation stalls and training keeps rising, it is memorising its "
                    "training images: that is overfitting."
                ),
                _CNN,
                page="train",
                notice=N_(
                    "Look for the epoch where validation accuracy stops improving while training "
                    "accuracy goes on rising. The distance between the two curves is the "
                    "overfitting."
                ),
                rules=("overfitting", "test_accuracy"),
            ),
            Step(
                "evaluate_cnn",
                N_("See where it fails"),
                N_("Open this run on the Evaluate page and read its confusion matrix."),
                N_(
                    "Accuracy is one number; the matrix shows which classes are confused with "
                    "which (cats with dogs, shirts with T-shirts)."
                ),
                _CNN,
                page="evaluate",
                notice=N_(
                    "The largest number off the diagonal names the two classes the model mixes "
                    "up most."
                ),
                rules=("test_accuracy",),
            ),
        ),
    ),
    Lesson(
        "augmentation",
        N_("3. Data augmentation against overfitting"),
        N_(
            "The same CNN, trained again with randomly changed images, then compared with "
            "lesson 2's run on the Runs page."
        ),
        (
            Step(
                "augment",
                N_("Turn augmentation on"),
                N_(
                    "The Augment page now has the course's augmentation on: rotations up to "
                    "10 degrees, shifts of 10 %, a little zoom and horizontal flips. Look at "
                    "the preview."
                ),
                N_(
                    "Every epoch the model sees a slightly different version of each image, so "
                    "it cannot learn them by heart; it has to learn what stays the same. "
                    "Augmentation only changes training images, never validation or test ones."
                ),
                _CNN_AUGMENTED,
                page="augment",
                notice=N_(
                    "Changed images must stay realistic: a flipped shoe is still a shoe, but a "
                    "flipped 2 is no longer a 2 (for digits, turn the flips off)."
                ),
            ),
            Step(
                "train_augmented",
                N_("Train the same CNN with augmentation"),
                N_(
                    "Same network, same images, same epochs: only the augmentation changes. "
                    "Start the training."
                ),
                N_("Change one thing at a time: then you know what made the difference."),
                _CNN_AUGMENTED,
                page="train",
                notice=N_(
                    "Expect training accuracy to rise more slowly and to stay closer to "
                    "validation accuracy than in lesson 2."
                ),
                rules=("overfitting", "gap_change"),
                compare=_CNN,
            ),
            Step(
                "compare",
                N_("Compare the two runs"),
                N_(
                    "On the Runs page, tick both runs (with and without augmentation) to put "
                    "their learning curves side by side."
                ),
                N_("Side by side, the effect of augmentation on the gap is plain to see."),
                _CNN_AUGMENTED,
                page="runs",
                notice=N_(
                    "With few epochs augmentation may cost a little test accuracy: it makes the "
                    "task harder. Its gain shows in the gap first, and in accuracy with longer "
                    "training."
                ),
                rules=("accuracy_change",),
                compare=_CNN,
            ),
        ),
    ),
    Lesson(
        "convolution",
        N_("4. Convolution by hand"),
        N_(
            "What a convolution layer computes, one window at a time, and the rule that gives "
            "the size of its output."
        ),
        (
            Step(
                "slide",
                N_("Slide a kernel over an image"),
                N_(
                    "In the convolution lab, pick an image and a 3x3 kernel such as a Sobel "
                    "edge detector, and follow one window: each output pixel is the sum of the 9 "
                    "pixels under the kernel times its 9 weights."
                ),
                N_(
                    "That is all a Conv2D layer does, with kernels it learns instead of kernels "
                    "you choose."
                ),
                page="convolution",
                notice=N_(
                    "A Sobel kernel lights up where the brightness changes (the edges) and stays "
                    "dark on flat areas."
                ),
            ),
            Step(
                "size",
                N_("Padding and stride"),
                N_("Change the padding and the stride and watch the output size."),
                N_(
                    "Every layer's output size follows one rule. It decides how many numbers "
                    "reach the Dense layers, and so how many parameters they have."
                ),
                page="convolution",
                notice=N_(
                    "A 28x28 image and a 3x3 kernel without padding, stride 1, give "
                    "(28 - 3 + 0)/1 + 1 = 26: a 26x26 output. With padding 1 ('same') it stays "
                    "28x28; with stride 2 it is about halved."
                ),
                formulas=(OUTPUT_SIZE,),
            ),
            Step(
                "in_a_model",
                N_("The same rule in a real model"),
                N_(
                    "The Model page now has LeNet: two 5x5 convolutions with average pooling. "
                    "Check the output shapes of its summary with the rule."
                ),
                N_(
                    "Working the shapes out by hand is the quickest way to understand a "
                    "convolutional network, and to find the mistake when one does not build."
                ),
                Setup(_DIGITS, "lenet"),
                page="model",
                notice=N_(
                    "28x28 becomes 24x24 after the first 5x5 convolution, (28 - 5)/1 + 1 = 24, "
                    "12x12 after the 2x2 pooling, 8x8 after the second convolution and 4x4 after "
                    "the second pooling."
                ),
            ),
        ),
    ),
    Lesson(
        "metrics",
        N_("5. Reading the metrics"),
        N_(
            "The confusion matrix and the figures made from it: accuracy, precision, recall, "
            "specificity, negative predictive value and F1."
        ),
        (
            Step(
                "matrix",
                N_("The confusion matrix"),
                N_(
                    "Open your lesson 1 run on the Evaluate page. In the confusion matrix, rows "
                    "are the true classes and columns the predicted ones."
                ),
                N_(
                    "For one class, the matrix sorts every test image into four counts: true "
                    "positives (TP), false positives (FP), false negatives (FN) and true "
                    "negatives (TN). Every figure below is made from them."
                ),
                _MLP,
                page="evaluate",
                notice=N_(
                    "The diagonal holds the right answers: accuracy is its sum divided by the "
                    "number of test images."
                ),
                rules=("test_accuracy",),
                formulas=(ACCURACY,),
            ),
            Step(
                "precision_recall",
                N_("Precision, recall and F1"),
                N_(
                    "In the per-class table, find the class with the lowest recall and the one "
                    "with the lowest precision. Try the counts below to see how each figure "
                    "moves."
                ),
                N_(
                    "Precision: of the images the model called this class, the share that are. "
                    "Recall (sensitivity): of the images of this class, the share it found. F1 "
                    "combines both and is low when either is low."
                ),
                page="evaluate",
                notice=N_(
                    "A model that calls every image a cat has a perfect recall for cats, and a "
                    "poor precision."
                ),
                formulas=(PRECISION, RECALL, F1),
                tool="metrics_calculator",
            ),
            Step(
                "specificity_npv",
                N_("Specificity and NPV"),
                N_(
                    "The same table has specificity and the negative predictive value (NPV): "
                    "the same questions, asked about the answers 'not this class'."
                ),
                N_(
                    "In a medical test, recall is the share of sick people the test catches, "
                    "specificity the share of healthy people it clears, and NPV how far a "
                    "negative result can be trusted."
                ),
                page="evaluate",
                notice=N_(
                    "NPV is TN / (TN + FN): right negatives among all negative answers. The "
                    "course notes print TN / (TN + TP), which is a slip."
                ),
                formulas=(SPECIFICITY, NPV),
                tool="metrics_calculator",
            ),
        ),
    ),
    Lesson(
        "task_types",
        N_("6. Task types"),
        N_(
            "Not every question has one answer out of ten: yes or no, several labels at once, "
            "classes inside groups. The output layer and the loss change with the question."
        ),
        (
            Step(
                "binary",
                N_("Binary: one class against another"),
                N_(
                    "Sandals against sneakers, cut from Fashion-MNIST: the output is a single "
                    "sigmoid unit and the loss binary cross-entropy. Train it."
                ),
                N_(
                    "Many real questions are yes or no (spam or not, ill or healthy). One output, "
                    "the probability of the positive class, is enough."
                ),
                Setup(("fashion_mnist:5-vs-7", "digits:3-vs-8"), "recommended"),
                page="train",
                notice=N_(
                    "The Model page shows 1 output unit. A threshold of 0.5 turns its "
                    "probability into a yes or a no."
                ),
                rules=("test_accuracy",),
            ),
            Step(
                "multilabel",
                N_("Multi-label: several labels per image"),
                N_(
                    "Each image is a mosaic of clothes, and the model says which kinds are in "
                    "it: one sigmoid per class, each a yes or no of its own."
                ),
                N_(
                    "Softmax makes the classes compete for one answer; independent sigmoids let "
                    "several be true at once, like the tags of a photo."
                ),
                Setup(("fashion_mnist_mosaic",), "recommended"),
                page="train",
                notice=N_(
                    "Two accuracies: per label decision (high, as most answers are 'no') and per "
                    "image with every label right (much lower)."
                ),
                rules=("test_accuracy",),
            ),
            Step(
                "hierarchical",
                N_("Hierarchical: classes inside groups"),
                N_(
                    "Fashion-MNIST's classes grouped into tops, bottoms, footwear and bags: the "
                    "model has two outputs, the group and the class, trained together."
                ),
                N_(
                    "Mistaking a shirt for a T-shirt is milder than a bag for a shoe. The group "
                    "output learns the easier question and helps the harder one."
                ),
                Setup(("fashion_mnist_hierarchy", "cifar100_hierarchy"), "recommended"),
                page="train",
                notice=N_(
                    "The group accuracy is higher than the class accuracy. The loss is the "
                    "weighted sum of both heads' cross-entropies."
                ),
                rules=("test_accuracy",),
            ),
        ),
    ),
    Lesson(
        "transfer",
        N_("7. Transfer learning"),
        N_(
            "A network trained on 1.2 million ImageNet photos, reused for your classes: with "
            "few images it beats a network that starts from nothing."
        ),
        (
            Step(
                "from_scratch",
                N_("A baseline from scratch"),
                N_(
                    "First our recommended CNN, starting from random weights, on only 2,000 "
                    "training images for 10 epochs."
                ),
                N_(
                    "With few images a network that starts from nothing cannot learn much: this "
                    "is the number to beat."
                ),
                _SCRATCH,
                page="train",
                notice=N_("Note its test accuracy; the next step compares with it."),
                rules=("test_accuracy",),
            ),
            Step(
                "transfer",
                N_("Reuse MobileNetV2"),
                N_(
                    "MobileNetV2 trained on ImageNet, its convolutional part frozen: only a new "
                    "output layer learns your classes, on the same 2,000 images, for 5 epochs."
                ),
                N_(
                    "The first layers of any image network learn edges, textures and shapes, "
                    "useful for any photo. Reusing them, only the last step is left to learn."
                ),
                _TRANSFER,
                page="train",
                notice=N_(
                    "The ImageNet weights are downloaded once, on the Model page. Afterwards you "
                    "can unfreeze the top layers there to fine-tune them with a lower learning "
                    "rate."
                ),
                rules=("test_accuracy", "accuracy_change"),
                compare=_SCRATCH,
            ),
        ),
    ),
)
_BY_ID = {lesson.id: lesson for lesson in LESSONS}


def get_lesson(lesson_id: str) -> Lesson:
    """The lesson ``lesson_id``; raises UserInputError for an unknown id."""
    try:
        return _BY_ID[lesson_id]
    except KeyError:
        raise UserInputError(
            "There is no lesson {lesson!r}. Choose one of: {known}.",
            lesson=lesson_id,
            known=", ".join(_BY_ID),
        ) from None
