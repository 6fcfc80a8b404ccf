"""The scikit-learn estimator contract, without scikit-learn as a dependency.

:class:`ClassifierBase` gives ``get_params`` / ``set_params`` (read from the
signature of ``__init__``, which only stores its arguments), ``score``, a
``repr`` and scikit-learn's estimator tags; the input checks raise the errors
scikit-learn's own estimators raise (same types, the same key phrases), so
``clone``, ``GridSearchCV`` and ``check_estimator`` work when scikit-learn is
installed.  When scikit-learn is imported, :class:`NotFittedError` and
:class:`DataConversionWarning` are raised as subclasses of both ours and
scikit-learn's classes, so either ``except`` catches them.
"""
from __future__ import annotations

import inspect
import numbers
import sys
import warnings

import numpy as np


class NotFittedError(ValueError, AttributeError):
    """A method that needs a fitted estimator was called before ``fit``."""


class DataConversionWarning(UserWarning):
    """The input was converted (e.g. a column vector ``y`` was flattened)."""


_FLAVOURED = {}


def _flavoured(ours, sklearn_name):
    """``ours``, or a subclass of it and of scikit-learn's class of the same role when scikit-learn is loaded."""
    module = sys.modules.get("sklearn.exceptions")
    if module is None:
        return ours
    if ours not in _FLAVOURED:
        theirs = getattr(module, sklearn_name)
        cls = type(ours.__name__, (ours, theirs), {"__module__": __name__, "__doc__": ours.__doc__})
        cls.__qualname__ = f"_{ours.__name__}_sklearn"
        globals()[cls.__qualname__] = cls          # picklable by name
        _FLAVOURED[ours] = cls
    return _FLAVOURED[ours]


def not_fitted_error(estimator, method, hint=""):
    """The :class:`NotFittedError` for calling ``method`` on an unfitted ``estimator``."""
    cls = _flavoured(NotFittedError, "NotFittedError")
    return cls(f"This {type(estimator).__name__} instance is not fitted yet: call 'fit' before '{method}'."
               + (f" {hint}" if hint else ""))


def rng_from(random_state):
    """A numpy Generator from ``random_state`` (None, an int >= 0 or a Generator)."""
    if random_state is None or isinstance(random_state, np.random.Generator):
        return np.random.default_rng(random_state)
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool) and random_state >= 0:
        return np.random.default_rng(int(random_state))
    raise ValueError(f"random_state must be None, an integer >= 0 or a numpy Generator, got {random_state!r}")


def _is_sparse(X):
    return type(X).__module__.startswith("scipy.sparse")


def check_X(X, *, dtype=np.float64, images=False, name="X"):
    """``X`` as a finite float array of shape (n_samples, n_features), or images (n, H, W) / (n, C, H, W).

    Raises ``ValueError`` / ``TypeError`` with scikit-learn's phrases
    (sparse, complex, NaN, infinity, "0 sample(s)", "0 feature(s)").
    """
    if X is None:
        raise ValueError(f"{name} must be an array of shape (n_samples, n_features), got None")
    if _is_sparse(X):
        raise TypeError(f"sparse input is not supported; convert {name} with {name}.toarray() first")
    try:
        arr = np.asarray(X)
    except ValueError:                         # ragged nested sequences
        raise ValueError(f"{name} must be an array of shape (n_samples, n_features), got a ragged sequence") from None
    if arr.dtype.kind == "c":
        raise ValueError(f"Complex data not supported: {name} must hold real numbers")
    if arr.dtype.kind not in "biuf":
        if arr.dtype.kind != "O":
            raise ValueError(f"{name} must hold numbers, got an array of dtype {arr.dtype} (e.g. {arr.flat[0]!r})"
                             if arr.size else f"{name} must hold numbers, got an array of dtype {arr.dtype}")
        held = sorted({type(v).__name__ for v in arr.flat})
        try:                                   # object arrays of numbers
            arr = arr.astype(np.float64)
        except TypeError:
            raise TypeError(f"{name} must hold numbers: every argument must be a string or a number that converts "
                            f"to float, got an object array that holds {held}") from None
        except ValueError:
            raise ValueError(f"{name} must hold numbers, got an object array that holds {held}") from None
    allowed = (2, 3, 4) if images else (2,)
    if arr.ndim not in allowed:
        what = "a 2-D array (n_samples, n_features)" + (", or images (n, H, W) or (n, C, H, W)" if images else "")
        raise ValueError(f"{name} must be {what}, got an array of shape {arr.shape}"
                         + (". Reshape your data: X.reshape(-1, 1) for one feature, X.reshape(1, -1) for one sample"
                            if arr.ndim == 1 else ""))
    if arr.shape[0] == 0:
        raise ValueError(f"Found array with 0 sample(s) (shape={arr.shape}) while a minimum of 1 is required.")
    if arr.size == 0:
        raise ValueError(f"Found array with 0 feature(s) (shape={arr.shape}) while a minimum of 1 is required.")
    arr = np.asarray(arr, dtype=dtype)
    if not np.isfinite(arr).all():
        if np.isnan(arr).any():
            raise ValueError(f"Input {name} contains NaN.")
        raise ValueError(f"Input {name} contains infinity or a value too large for dtype('{arr.dtype}').")
    return arr


def check_classes(classes, estimator_name):
    """The sorted labels of ``classes`` (``partial_fit``'s list of every label that will occur)."""
    arr = np.asarray(classes) if not _is_sparse(classes) else None
    if arr is None or arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"classes must be a non-empty 1-D array of every label that will occur, got {classes!r}")
    return check_targets(arr, arr.size, estimator_name, name="classes")[1]


def check_targets(y, n_samples, estimator_name, name="y"):
    """Class labels ``y`` as a 1-D array of length ``n_samples`` and the sorted classes.

    A column vector is flattened with a :class:`DataConversionWarning`;
    continuous, NaN or infinite values are a ``ValueError`` ("Unknown label type").
    ``name`` is the parameter named in the messages (``y`` or ``classes``).
    """
    if y is None:
        raise ValueError(f"{estimator_name} requires y to be passed, but the target y is None.")
    if _is_sparse(y):
        raise TypeError(f"sparse {name} is not supported")
    try:
        y = np.asarray(y)
    except ValueError:                         # ragged nested sequences
        raise ValueError(f"{name} should be a 1d array of labels, got a ragged sequence") from None
    if y.ndim == 2 and y.shape[1] == 1:
        warnings.warn(_flavoured(DataConversionWarning, "DataConversionWarning")(
            "A column-vector y was passed when a 1d array was expected. Please change the shape of y to "
            "(n_samples,), for example using ravel()."), stacklevel=3)
        y = y.ravel()
    if y.ndim != 1:
        raise ValueError(f"{name} should be a 1d array, got an array of shape {y.shape} instead.")
    if len(y) != n_samples:
        raise ValueError(f"Found input variables with inconsistent numbers of samples: [{n_samples}, {len(y)}] (X has {n_samples} "
                         f"samples, {name} has {len(y)} labels)")
    if y.dtype.kind == "c":
        raise ValueError(f"Complex data not supported: {name} must hold class labels")
    if y.dtype.kind == "f":
        if np.isnan(y).any():
            raise ValueError(f"Input {name} contains NaN.")
        if np.isinf(y).any():
            raise ValueError(f"Input {name} contains infinity or a value too large for dtype('{y.dtype}').")
        if np.any(y != np.round(y)):
            raise ValueError("Unknown label type: continuous. A classifier needs class labels (integers or "
                             f"strings), {name} has non-integer values")
    if y.dtype.kind not in "biufUSO":
        raise ValueError(f"Unknown label type: {name} has dtype {y.dtype}")
    try:
        classes = np.unique(y)
    except TypeError as exc:
        raise ValueError(f"Unknown label type: {name} mixes labels of different types ({exc})") from None
    return y, classes


def encode_labels(y, classes):
    """Index of each label of ``y`` in ``classes`` (``ValueError`` for unknown labels)."""
    idx = np.searchsorted(classes, y)
    idx = np.minimum(idx, len(classes) - 1)
    bad = classes[idx] != y
    if np.any(bad):
        raise ValueError(f"y contains labels not in classes {classes.tolist()}: {np.unique(y[bad]).tolist()}")
    return idx


#: Every classifier class by name (filled as the classes are defined): what a model file may hold.
MODEL_CLASSES: dict[str, type] = {}


class ClassifierBase:
    """get_params / set_params / score / repr / tags for the classifiers of :mod:`spikesim.ann`.

    Subclasses' ``__init__`` stores its keyword arguments as attributes of the
    same names and does nothing else; checks happen in ``fit``.  Every
    subclass is entered in :data:`MODEL_CLASSES`, so model files
    (:mod:`.io`) can name it.
    """

    _estimator_type = "classifier"          # scikit-learn < 1.6 reads this
    _accepts_images = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        MODEL_CLASSES[cls.__name__] = cls

    @classmethod
    def _get_param_names(cls):
        sig = inspect.signature(cls.__init__)
        return sorted(p.name for p in sig.parameters.values()
                      if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))

    def get_params(self, deep=True):
        """The hyper-parameters, by name (the arguments of ``__init__``)."""
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params):
        """Set hyper-parameters by name (checked when ``fit`` runs); returns self."""
        valid = self._get_param_names()
        for key, value in params.items():
            if key not in valid:
                raise ValueError(f"invalid parameter {key!r} for {type(self).__name__}; valid are {valid}")
            setattr(self, key, value)
        return self

    def __repr__(self):
        sig = inspect.signature(type(self).__init__)
        shown = []
        for name in self._get_param_names():
            default = sig.parameters[name].default
            value = getattr(self, name, None)
            try:
                same = bool(value == default) if not isinstance(value, np.ndarray) else False
            except Exception:
                same = False
            if not same:
                shown.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"

    def __sklearn_tags__(self):
        from sklearn.utils import ClassifierTags, InputTags, Tags, TargetTags
        return Tags(estimator_type="classifier", target_tags=TargetTags(required=True),
                    classifier_tags=ClassifierTags(), input_tags=InputTags(three_d_array=self._accepts_images))

    def __sklearn_is_fitted__(self):
        return hasattr(self, "classes_")

    # -------------------------------------------------------------- checks
    def _check_fitted(self, method):
        if not self.__sklearn_is_fitted__():
            raise not_fitted_error(self, method)

    def _check_X_predict(self, X, method, dtype=np.float64):
        self._check_fitted(method)
        X = check_X(X, dtype=dtype, images=self._accepts_images)
        self._check_n_features(X)
        return X

    def _check_n_features(self, X):
        n = int(np.prod(X.shape[1:]))
        if n != self.n_features_in_:
            raise ValueError(f"X has {n} features, but {type(self).__name__} is expecting {self.n_features_in_} "
                             f"features as input.")

    def _check_two_classes(self, classes):
        if classes.size < 2:
            label = classes[0].item() if isinstance(classes[0], np.generic) else classes[0]
            raise ValueError(f"y contains only one class ({label!r}): a classifier needs at least two "
                             f"classes")

    def score(self, X, y):
        """Mean accuracy of :meth:`predict` on ``X`` against the labels ``y``."""
        pred = self.predict(X)
        return float(np.mean(pred == np.asarray(y).reshape(pred.shape)))
