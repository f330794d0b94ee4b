"""Train: what will be trained, the callbacks, Start; then the live progress of the run, and
Stop."""

import contextlib

import streamlit as st

from clfcore import jobs
from clfcore.config import LR_SCHEDULE_NAMES, LR_SCHEDULES, MONITORS
from clfcore.data import augment, datasets
from clfcore.errors import UserInputError
from clfcore.models import architectures
from clfcore.runs import figures, lineage, listing, liveness
from clfcore.training import schedules
from clfcore.workspace import access, quota
from ui import continue_views, experiment_link, session, state, workspace_views
from ui.charts import learning_curves, schedule_preview
from ui.lang import number, t, translator
from ui.widgets import controlled, show_error, translated_status

POLL_SECONDS = 1.0


def _augmentation_text(info) -> str:
    """The active transforms (e.g. "rotation ±10°, horizontal flip"), or "none"; plus the Augment
    page's warnings."""
    settings = state.augmentation_settings()
    if not settings:
        return t("none")
    config = augment.AugmentConfig.from_dict(settings)
    text = t(
        "on: {transforms}",
        transforms=", ".join(t(m.template, **m.params) for m in augment.summary(config)),
    )
    if augment.warnings(config, class_names=info.class_names, image_shape=info.image_shape):
        text += (
            "  \n:orange[:material/warning: "
            + t(
                "Some of these settings may hurt training on this dataset: see the warnings "
                "on the Augment page."
            )
            + "]"
        )
    return text


def _task_text(info) -> str:
    """The task and its own settings, e.g. "binary, balanced class weights" or "multi-label,
    threshold 0.5"."""
    from clfcore.data.tasks import TASK_NAMES

    choice, parts = state.training_choice(), [t(TASK_NAMES[info.task])]
    if choice.get("class_weight") == "balanced":
        parts.append(t("balanced class weights"))
    if info.task == "multilabel":
        parts.append(t("threshold {value}", value=state.chosen(choice, "threshold")))
    return ", ".join(parts)


def _what_will_be_trained() -> None:
    info = datasets.get_dataset(state.dataset_id())
    model = state.model_choice()
    split = state.split_config()
    arch = architectures.get_architecture(model["architecture"])
    rows = [
        (
            t("Dataset"),
            t(
                "{name}: {count} training images, {val:.0%} of them for validation",
                name=info.name,
                count=number(split.train_size or info.train_count),
                val=split.validation_split,
            ),
            "app_pages/dataset.py",
        ),
        (
            t("Model"),
            t(
                "{name}: {optimizer}, learning rate {lr}, batch {batch}, {epochs} epochs",
                name=t(arch.name),
                optimizer=model["optimizer"],
                lr=model["learning_rate"],
                batch=model["batch_size"],
                epochs=model["epochs"],
            ),
            "app_pages/model.py",
        ),
        (t("Task"), _task_text(info), "app_pages/model.py"),
        (t("Augmentation"), _augmentation_text(info), "app_pages/augment.py"),
    ]
    if not datasets.availability(info.id).available:
        st.warning(
            t(
                "{name} is not on this machine yet: download it on the Dataset page or "
                "pick another dataset.",
                name=info.name,
            )
        )
    for label, text, page in rows:
        c1, c2, c3 = st.columns([1, 5, 1], vertical_alignment="center")
        c1.markdown(f"**{label}**")
        c2.markdown(text)
        c3.page_link(page, label=t("Change"), icon=":material/edit:")


def _callbacks(choice: dict) -> dict:
    with st.expander(
        t("Callbacks: early stopping, best model, learning-rate schedule, TensorBoard"),
        icon=":material/tune:",
    ):
        c1, c2, c3 = st.columns(3)
        choice["early_stopping"] = controlled(
            c1.toggle,
            t("Early stopping"),
            key="train_early_stopping",
            value=bool(state.chosen(choice, "early_stopping")),
            help=t("Stop when the monitored metric has not improved for 'patience' epochs."),
        )
        choice["early_stopping_monitor"] = controlled(
            c2.selectbox,
            t("Monitor"),
            MONITORS,
            key="train_early_stopping_monitor",
            value=state.chosen(choice, "early_stopping_monitor"),
            disabled=not choice["early_stopping"],
        )
        choice["early_stopping_patience"] = controlled(
            c3.number_input,
            t("Patience (epochs)"),
            0,
            50,
            key="train_early_stopping_patience",
            value=int(state.chosen(choice, "early_stopping_patience")),
            disabled=not choice["early_stopping"],
        )
        choice["restore_best_weights"] = controlled(
            c1.checkbox,
            t("Restore the best weights"),
            key="train_restore_best_weights",
            value=bool(state.chosen(choice, "restore_best_weights")),
            disabled=not choice["early_stopping"],
        )
        choice["checkpoint_monitor"] = controlled(
            c2.selectbox,
            t("Keep the best model by"),
            MONITORS,
            key="train_checkpoint_monitor",
            value=state.chosen(choice, "checkpoint_monitor"),
            help=t("ModelCheckpoint saves model.keras whenever this metric improves."),
        )
        choice["tensorboard"] = controlled(
            c3.toggle,
            t("TensorBoard logs"),
            key="train_tensorboard",
            value=bool(state.chosen(choice, "tensorboard")),
            help=t("Written to the run folder; open them with: tensorboard --logdir runs"),
        )
        st.divider()
        s1, s2 = st.columns([1, 2])
        choice["lr_schedule"] = controlled(
            s1.selectbox,
            t("Learning-rate schedule"),
            list(LR_SCHEDULES),
            key="train_lr_schedule",
            value=choice.get("lr_schedule") or state.chosen(state.model_choice(), "lr_schedule"),
            format_func=lambda k, tr=translator(): tr(LR_SCHEDULE_NAMES[k]),
        )
        if choice["lr_schedule"] in ("step", "exponential", "plateau"):
            choice["lr_decay"] = controlled(
                s1.slider,
                t("Decay factor"),
                0.05,
                0.95,
                key="train_lr_decay",
                value=float(state.chosen(choice, "lr_decay")),
                step=0.05,
            )
        if choice["lr_schedule"] == "step":
            choice["lr_step_epochs"] = controlled(
                s1.number_input,
                t("Every (epochs)"),
                1,
                100,
                key="train_lr_step_epochs",
                value=int(state.chosen(choice, "lr_step_epochs")),
            )
        if choice["lr_schedule"] == "plateau":
            choice["lr_patience"] = controlled(
                s1.number_input,
                t("Patience (epochs)") + " ",
                0,
                50,
                key="train_lr_patience",
                value=int(state.chosen(choice, "lr_patience")),
            )
            s2.caption(
                t(
                    "ReduceLROnPlateau multiplies the rate by the decay factor when the "
                    "validation loss stops improving, so its curve is only known while "
                    "training."
                )
            )
        with contextlib.suppress(UserInputError):  # the settings error is shown once, below
            s2.plotly_chart(
                schedule_preview(schedules.preview(state.train_config(**choice))), width="stretch"
            )
    return choice


def _progress(run_id: str, polling: bool) -> None:
    """The followed run: status, progress bar, curves and Stop. Redrawn every POLL_SECONDS while
    active."""
    try:
        run = workspace_views.find_run(run_id)
    except UserInputError:
        state.follow_run(None)
        return
    status = liveness.effective_status(run)
    config = run.config()
    st.subheader(t("Run {run}", run=config.run_name or run.run_id))
    continue_views.parent_caption(run)
    if status == "queued":
        position = jobs.queue_position(run) or 1
        try:
            slots = jobs.max_concurrent()
        except UserInputError:  # e.g. CLFCORE_JOBS=ray, cluster unreachable: said at the top
            slots = None
        st.info(
            t(
                "Queued: position {n}. It starts when a training slot frees (at most {slots} "
                "at once on this server).",
                n=position,
                slots=slots,
            )
            if slots is not None
            else t(
                "Queued: position {n}. It starts once the training backend can be reached "
                "again (see the message above).",
                n=position,
            ),
            icon=":material/hourglass_top:",
        )
    progress = run.progress()
    if progress:
        st.progress(
            min(progress.get("fraction", 0.0), 1.0),
            text=t(
                "Epoch {epoch}/{epochs} · batch {batch}/{batches} · {elapsed:.0f} s elapsed "
                "· about {eta} s left · learning rate {lr:.2g}",
                epoch=progress["epoch"],
                epochs=progress["epochs"],
                batch=progress["batch"],
                batches=progress["batches"],
                elapsed=progress["elapsed"],
                eta="?" if progress.get("eta") is None else f"{progress['eta']:.0f}",
                lr=progress["learning_rate"],
            ),
        )
        startup = run.startup_seconds()
        if startup is not None:
            st.caption(
                t(
                    "Started in {seconds:.1f} s: from pressing Start training to the first "
                    "trained batch.",
                    seconds=startup,
                )
            )
    history = lineage.continued_history(run)  # a continued run: its parent's epochs first
    if history:
        st.plotly_chart(
            # while training: the plain curves; the Evaluate page adds the gap, the rate, the best
            # epoch
            learning_curves(
                history,
                gap=False,
                learning_rate=False,
                height=360,
                continued_at=lineage.continued_at(history),
            ),
            width="stretch",
            key=f"curves-{run_id}-{len(history)}",
        )
    elif status == "running":
        st.caption(t("The curves appear when the first epoch ends."))
    if status in ("running", "queued"):
        if workspace_views.can_change(run) and st.button(
            t("Stop"), icon=":material/stop_circle:", type="primary", key="stop"
        ):
            try:
                jobs.stop(access.changeable_run(session.workspace(), run.run_id))
            except UserInputError as error:
                show_error(error)
            else:
                st.toast(t("Stopping after the current batch; the model and its history are kept."))
        return
    if polling:
        st.rerun()  # the run just ended: redraw the whole page once, without polling
    _finished(run, status)


def _is_active(run_id: str) -> bool:
    try:
        return liveness.effective_status(workspace_views.find_run(run_id)) in listing.ACTIVE
    except UserInputError:
        return False


def _finished(run, status: str) -> None:
    metrics = run.metrics()
    saved = run.status()
    reason = t(saved["message"], **saved.get("params", {})) if saved.get("message") else None
    if status == "failed":
        st.error(reason or t("Training failed."), icon=":material/error:")
    elif status == "interrupted" and reason:
        st.warning(reason)
    task = figures.task_of(metrics)
    found = figures.figures_of(metrics, task)
    _, value = figures.headline(metrics, task)
    if "subset_accuracy" in found:  # multi-label: the course's label accuracy and the exact matches
        st.success(
            t(
                "{status}: label accuracy {acc:.2%}, subset accuracy {subset:.2%} after "
                "{epochs} epochs ({seconds:.0f} s).",
                status=translated_status(status).capitalize(),
                acc=found["label_accuracy"],
                subset=found["subset_accuracy"],
                epochs=metrics["epochs_run"],
                seconds=metrics["train_seconds"],
            )
        )
    elif value is not None:
        st.success(
            t(
                "{status}: test accuracy {acc:.2%} after {epochs} epochs ({seconds:.0f} s).",
                status=translated_status(status).capitalize(),
                acc=value,
                epochs=metrics["epochs_run"],
                seconds=metrics["train_seconds"],
            )
        )
    st.page_link(
        "app_pages/evaluate.py", label=t("Evaluate this model"), icon=":material/insights:"
    )


st.title(t("Train"))
workspace = session.workspace()
# start queued runs whose slot freed while nobody watched (also after a restart)
try:
    jobs.dispatch(workspace.runs_dir)
except UserInputError as error:  # e.g. CLFCORE_JOBS=ray and the cluster is unreachable
    show_error(error)
st.subheader(t("What will be trained"))
_what_will_be_trained()
choice = _callbacks(state.training_choice())
state.set_training_choice(choice)
experiment_link.copy_link()
name = st.text_input(
    t("Run name (optional)"), max_chars=60, placeholder=t("e.g. cnn-with-augmentation")
)
try:
    config = state.train_config(run_name=name.strip())
except UserInputError as error:
    show_error(error)
    st.stop()
with contextlib.suppress(UserInputError):  # a backend that cannot start was shown above
    jobs.prewarm(config, root=workspace.runs_dir)  # Start then finds a training process loaded
if st.button(t("Start training"), type="primary", icon=":material/play_arrow:"):
    try:
        quota.check_quota(workspace, session.settings().quota_bytes)
        run = jobs.submit(config, root=workspace.runs_dir, priority=session.queue_priority())
    except UserInputError as error:
        show_error(error)
    else:
        state.follow_run(run.run_id)

if state.followed_run() is None:  # e.g. after a page reload: offer the runs that are training now
    for summary in (r for r in workspace_views.visible_runs() if r.status in listing.ACTIVE):
        if st.button(
            t(
                "Follow {run} ({status})",
                run=workspace_views.label(summary),
                status=translated_status(summary.status),
            ),
            key=f"follow-{summary.run_id}",
        ):
            state.follow_run(summary.run_id)
followed = state.followed_run()
if followed:
    st.divider()
    polling = _is_active(followed)
    st.fragment(run_every=POLL_SECONDS if polling else None)(_progress)(followed, polling)
