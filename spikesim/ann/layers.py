"""Layers of artificial networks as modules, and :class:`Sequential`, the stack that trains them.

Every layer has ``forward``, ``backward`` and ``parameters()``.  Backpropagation
is the chain rule read from the loss back to the input::

    forward:   a_0 = x,            a_l = layer_l.forward(a_{l-1})
    backward:  g_L = dLoss/da_L,   g_{l-1} = layer_l.backward(g_l)

``forward(x, training=True)`` remembers what ``backward`` needs (the input, the
ReLU mask, the positions of the maxima, ...).  ``backward(g)`` takes the
gradient of the loss with respect to the layer's output, stores the gradients
of the layer's own parameters in ``grads`` (the keys of ``parameters()``) and
returns the gradient with respect to the layer's input.

Shapes are per batch: Dense maps (n, in_features) to (n, out_features);
Conv2d and the pooling layers map images (n, channels, height, width), C
order as in PyTorch; Flatten turns images into feature vectors.  Parameters
have PyTorch's names and layouts (``weight`` of shape (out, in) or
(out, in, k, k), ``bias``), so a PyTorch state_dict maps over one to one.
Sizes that follow from the input (a Dense layer's inputs, a convolution's
input channels) may be left out: :meth:`Sequential.build` infers them from
the input shape, as Keras does.

Examples
--------
>>> import numpy as np
>>> from spikesim.ann.layers import Dense, ReLU, Sequential
>>> net = Sequential(Dense(3), ReLU(), Dense(2)).build((4,), rng=np.random.default_rng(0))
>>> out = net.forward(np.ones((5, 4)), training=True)
>>> grad_input = net.backward(np.ones_like(out))     # fills each layer's .grads
>>> out.shape, grad_input.shape, sorted(net.gradients())
((5, 2), (5, 4), ['0.bias', '0.weight', '2.bias', '2.weight'])
"""
from __future__ import annotations

import copy
import inspect

import numpy as np

from ._kernels import conv2d_backward, conv2d_forward, maxpool_backward, maxpool_forward
from .activations import elu, get_activation

INITS = ("uniform", "he", "lecun")


class Layer:
    """Base class.  Subclasses define ``forward`` and ``backward``; layers with
    parameters also ``parameters()`` and ``_init``.

    Attributes
    ----------
    name : str or None
        Prefix of the parameter names in a :class:`Sequential` (its index when None).
    in_shape, out_shape : tuple
        Shapes of one sample, set by :meth:`build`.
    grads : dict
        Gradients of the parameters, set by ``backward``.
    """

    def __init__(self, *, name=None):
        if name is not None and (not isinstance(name, str) or not name or "." in name):
            raise ValueError(f"name must be a non-empty string without '.', got {name!r}")
        self.name = name
        self.in_shape = self.out_shape = None
        self.grads = {}

    # -------------------------------------------------------------- shapes and parameters
    def output_shape(self, in_shape):
        """Shape of one output sample for one input sample of shape ``in_shape``."""
        return tuple(in_shape)

    def build(self, in_shape, rng=None, dtype=np.float64):
        """Fix the input shape, create missing parameters (drawn from ``rng``); returns the output shape."""
        in_shape = tuple(int(s) for s in in_shape)
        self.out_shape = self.output_shape(in_shape)
        self.in_shape = in_shape
        expected = self.parameter_shapes()
        for key, value in self.parameters().items():
            value = np.asarray(value)
            if value.shape != expected[key]:
                raise ValueError(f"{key} must have shape {expected[key]}, got {value.shape}")
            setattr(self, key, np.ascontiguousarray(value, dtype=dtype))
        return self.out_shape

    def parameter_shapes(self):
        """Shape of each parameter once the input shape is known."""
        return {}

    def parameters(self):
        """The layer's parameter arrays by name (updated in place by the optimiser)."""
        return {}

    def config(self):
        """Constructor arguments, JSON-serialisable (for saving and printing)."""
        return {} if self.name is None else {"name": self.name}

    def forget(self):
        """Drop what ``forward(training=True)`` remembered."""
        for key in [k for k in vars(self) if k.startswith("_saved")]:
            delattr(self, key)

    def __repr__(self):
        sig = inspect.signature(type(self).__init__).parameters
        shown = []
        for k, v in self.config().items():
            p = sig.get(k)
            if p is not None and p.kind == p.POSITIONAL_OR_KEYWORD and p.default is p.empty:
                shown.append(repr(v))
            elif p is None or p.default is p.empty or v != p.default:
                shown.append(f"{k}={v!r}")
        return f"{type(self).__name__}({', '.join(shown)})"


#: The largest size of a layer: converted networks index their neurons with 32-bit integers.
MAX_SIZE = 2 ** 31 - 1


def _check_positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= value <= MAX_SIZE:
        raise ValueError(f"{name} must be an integer in [1, {MAX_SIZE}], got {value!r}")
    return int(value)


def _check_init(init):
    if not isinstance(init, str) or init not in INITS:
        raise ValueError(f"init must be one of {INITS}, got {init!r}")
    return init


def _draw(init, shape, fan_in, rng, transpose=False):
    """Initial weights and bias.  "uniform": U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for both (PyTorch's
    default); "he" / "lecun": normal with standard deviation sqrt(2/fan_in) / sqrt(1/fan_in), zero bias."""
    if rng is None:
        raise ValueError("building a layer without weights needs rng (a numpy Generator)")
    if init == "uniform":
        bound = 1.0 / np.sqrt(fan_in)
        return rng.uniform(-bound, bound, shape), rng.uniform(-bound, bound, shape[0])
    scale = np.sqrt((2.0 if init == "he" else 1.0) / fan_in)
    # a dense matrix is drawn as (in, out), the x W convention of the MLP's formulas
    W = rng.standard_normal(shape[::-1]).T if transpose else rng.standard_normal(shape)
    return W * scale, np.zeros(shape[0])


class Dense(Layer):
    """Fully connected layer: ``y = x W^T + b``.

    Parameters
    ----------
    out_features : int
    in_features : int, optional
        Inferred from the input when the network is built.
    bias : bool
    init : {"uniform", "he", "lecun"}
        Initial weights: PyTorch's default uniform, or He / LeCun normal (zero bias).

    Notes
    -----
    Shapes: x (n, in_features) -> y (n, out_features); ``weight`` (out_features,
    in_features), ``bias`` (out_features,).  Backward:
    ``dW = g^T x``, ``db = sum_n g``, ``dx = g W``.
    """

    def __init__(self, out_features, *, in_features=None, bias=True, init="uniform", name=None):
        super().__init__(name=name)
        self.out_features = _check_positive_int("out_features", out_features)
        self.in_features = None if in_features is None else _check_positive_int("in_features", in_features)
        self.has_bias = bool(bias)
        self.init = _check_init(init)
        self.weight = self.bias = None

    @classmethod
    def from_arrays(cls, weight, bias=None, *, name=None):
        """A layer with given weights of shape (out, in) and optional bias of shape (out,)."""
        weight = np.asarray(weight)
        if weight.ndim != 2:
            raise ValueError(f"a Dense weight must have shape (out_features, in_features), got {weight.shape}")
        layer = cls(weight.shape[0], in_features=weight.shape[1], bias=bias is not None, name=name)
        layer.weight = weight
        if bias is not None:
            layer.bias = np.asarray(bias)
            if layer.bias.shape != (weight.shape[0],):
                raise ValueError(f"a Dense bias must have shape ({weight.shape[0]},), got {layer.bias.shape}")
        return layer

    def output_shape(self, in_shape):
        if len(in_shape) != 1:
            raise ValueError(f"Dense needs feature vectors, got samples of shape {in_shape} (add a Flatten layer)")
        if self.in_features is not None and in_shape[0] != self.in_features:
            raise ValueError(f"Dense expects {self.in_features} input features, got {in_shape[0]}")
        return (self.out_features,)

    def build(self, in_shape, rng=None, dtype=np.float64):
        self.output_shape(in_shape)
        self.in_features = int(in_shape[0])
        if self.weight is None:
            W, b = _draw(self.init, (self.out_features, self.in_features), self.in_features, rng, transpose=True)
            self.weight, self.bias = W, (b if self.has_bias else None)
        return super().build(in_shape, rng, dtype)

    def parameters(self):
        p = {"weight": self.weight}
        if self.has_bias:
            p["bias"] = self.bias
        return p

    def parameter_shapes(self):
        return {"weight": (self.out_features, self.in_features), "bias": (self.out_features,)}

    def forward(self, x, training=False):
        if training:
            self._saved_x = x
        y = x @ self.weight.T
        return y + self.bias if self.has_bias else y

    def backward(self, grad, need_input_grad=True):
        x = self._saved_x
        self.grads = {"weight": grad.T @ x}
        if self.has_bias:
            self.grads["bias"] = grad.sum(axis=0)
        return grad @ self.weight if need_input_grad else None

    def config(self):
        return {"out_features": self.out_features, "in_features": self.in_features, "bias": self.has_bias,
                "init": self.init, **super().config()}


class Conv2d(Layer):
    """2-D convolution (cross-correlation, as in PyTorch), stride 1, zero padding.

    Parameters
    ----------
    out_channels, kernel_size : int
    padding : int
        Zeros added on each side.
    in_channels : int, optional
        Inferred from the input when the network is built.
    bias : bool
    init : {"uniform", "he", "lecun"}

    Notes
    -----
    Shapes: x (n, C, H, W) -> y (n, out_channels, H + 2 padding - k + 1, W + 2 padding - k + 1);
    ``weight`` (out_channels, C, k, k).  Computed as ``im2col`` (a numba kernel
    gathering every k x k patch into a column) and one matrix product; the
    backward pass is the transposed product and ``col2im`` (the adjoint scatter).
    """

    def __init__(self, out_channels, kernel_size, *, padding=0, in_channels=None, bias=True, init="uniform",
                 name=None):
        super().__init__(name=name)
        self.out_channels = _check_positive_int("out_channels", out_channels)
        self.kernel_size = _check_positive_int("kernel_size", kernel_size)
        if isinstance(padding, bool) or not isinstance(padding, (int, np.integer)) or padding < 0:
            raise ValueError(f"padding must be an integer >= 0, got {padding!r}")
        self.padding = int(padding)
        self.in_channels = None if in_channels is None else _check_positive_int("in_channels", in_channels)
        self.has_bias = bool(bias)
        self.init = _check_init(init)
        self.weight = self.bias = None

    @classmethod
    def from_arrays(cls, weight, bias=None, *, padding=0, name=None):
        """A layer with given filters of shape (out, in, k, k) and optional bias of shape (out,)."""
        weight = np.asarray(weight)
        if weight.ndim != 4 or weight.shape[2] != weight.shape[3]:
            raise ValueError(f"a Conv2d weight must have shape (out, in, k, k), got {weight.shape}")
        layer = cls(weight.shape[0], weight.shape[2], padding=padding, in_channels=weight.shape[1],
                    bias=bias is not None, name=name)
        layer.weight = weight
        if bias is not None:
            layer.bias = np.asarray(bias)
            if layer.bias.shape != (weight.shape[0],):
                raise ValueError(f"a Conv2d bias must have shape ({weight.shape[0]},), got {layer.bias.shape}")
        return layer

    def output_shape(self, in_shape):
        if len(in_shape) != 3:
            raise ValueError(f"Conv2d needs images (channels, height, width), got samples of shape {in_shape}")
        C, H, W = in_shape
        if self.in_channels is not None and C != self.in_channels:
            raise ValueError(f"Conv2d expects {self.in_channels} input channels, got {C}")
        Ho, Wo = H + 2 * self.padding - self.kernel_size + 1, W + 2 * self.padding - self.kernel_size + 1
        if Ho < 1 or Wo < 1:
            raise ValueError(f"Conv2d with a {self.kernel_size}x{self.kernel_size} kernel and padding {self.padding} "
                             f"does not fit an input of {H}x{W} pixels")
        return (self.out_channels, Ho, Wo)

    def build(self, in_shape, rng=None, dtype=np.float64):
        self.output_shape(in_shape)
        self.in_channels = int(in_shape[0])
        if self.weight is None:
            k = self.kernel_size
            W, b = _draw(self.init, (self.out_channels, self.in_channels, k, k), self.in_channels * k * k, rng)
            self.weight, self.bias = W, (b if self.has_bias else None)
        return super().build(in_shape, rng, dtype)

    def parameters(self):
        p = {"weight": self.weight}
        if self.has_bias:
            p["bias"] = self.bias
        return p

    def parameter_shapes(self):
        k = self.kernel_size
        return {"weight": (self.out_channels, self.in_channels, k, k), "bias": (self.out_channels,)}

    def forward(self, x, training=False):
        b = self.bias if self.has_bias else np.zeros(self.out_channels, dtype=x.dtype)
        y, cols = conv2d_forward(np.ascontiguousarray(x), self.weight, b, self.padding)
        if training:
            self._saved_cols, self._saved_x_shape = cols, x.shape
        return y

    def backward(self, grad, need_input_grad=True):
        dx, dW, db = conv2d_backward(grad, self._saved_cols, self._saved_x_shape, self.weight, self.padding,
                                     need_dx=need_input_grad)
        self.grads = {"weight": dW}
        if self.has_bias:
            self.grads["bias"] = db
        return dx

    def config(self):
        return {"out_channels": self.out_channels, "kernel_size": self.kernel_size, "padding": self.padding,
                "in_channels": self.in_channels, "bias": self.has_bias, "init": self.init, **super().config()}


class _Pool2d(Layer):
    def __init__(self, kernel_size=2, *, name=None):
        super().__init__(name=name)
        self.kernel_size = _check_positive_int("kernel_size", kernel_size)

    def output_shape(self, in_shape):
        if len(in_shape) != 3:
            raise ValueError(f"{type(self).__name__} needs images (channels, height, width), got {in_shape}")
        C, H, W = in_shape
        k = self.kernel_size
        if H < k or W < k:
            raise ValueError(f"{type(self).__name__}({k}) does not fit an input of {H}x{W} pixels")
        return (C, H // k, W // k)

    def config(self):
        return {"kernel_size": self.kernel_size, **super().config()}


class MaxPool2d(_Pool2d):
    """Max pooling over k x k windows with stride k (rows and columns past the last whole window are dropped).

    Backward routes each window's gradient to the position of its maximum
    (the first one on ties).  Numba kernels.
    """

    def forward(self, x, training=False):
        y, arg = maxpool_forward(np.ascontiguousarray(x), self.kernel_size)
        if training:
            self._saved_arg, self._saved_hw = arg, x.shape[2:]
        return y

    def backward(self, grad, need_input_grad=True):
        H, W = self._saved_hw
        return maxpool_backward(np.ascontiguousarray(grad), self._saved_arg, H, W, self.kernel_size)


class AvgPool2d(_Pool2d):
    """Average pooling over k x k windows with stride k; backward spreads ``g / k^2`` over each window."""

    def forward(self, x, training=False):
        N, C, H, W = x.shape
        k = self.kernel_size
        Ho, Wo = H // k, W // k
        if training:
            self._saved_hw = (H, W)
        return x[:, :, :Ho * k, :Wo * k].reshape(N, C, Ho, k, Wo, k).mean(axis=(3, 5))

    def backward(self, grad, need_input_grad=True):
        H, W = self._saved_hw
        k = self.kernel_size
        N, C, Ho, Wo = grad.shape
        dx = np.zeros((N, C, H, W), dtype=grad.dtype)
        dx[:, :, :Ho * k, :Wo * k] = np.repeat(np.repeat(grad / (k * k), k, axis=2), k, axis=3)
        return dx


class Flatten(Layer):
    """Images (n, C, H, W) -> vectors (n, C*H*W), C order (index ``c*H*W + y*W + x``)."""

    def output_shape(self, in_shape):
        return (int(np.prod(in_shape)),)

    def forward(self, x, training=False):
        return x.reshape(len(x), -1)

    def backward(self, grad, need_input_grad=True):
        return grad.reshape((len(grad),) + self.in_shape)


# ---------------------------------------------------------------- activations
class ReLU(Layer):
    """``max(0, z)``; backward passes the gradient where ``z > 0``."""

    def forward(self, x, training=False):
        if training:
            self._saved_x = x
        return np.maximum(x, 0)

    def backward(self, grad, need_input_grad=True):
        return grad * (self._saved_x > 0)


class _Elementwise(Layer):
    """An activation of :data:`spikesim.ann.ACTIVATIONS`: ``f(z)``; backward ``g * f'(z)``."""

    activation = "identity"

    def _function(self):
        return get_activation(self.activation)

    def forward(self, x, training=False):
        if training:
            self._saved_x = x
        return np.asarray(self._function().f(x), dtype=x.dtype)

    def backward(self, grad, need_input_grad=True):
        return grad * np.asarray(self._function().df(self._saved_x), dtype=grad.dtype)


class Identity(_Elementwise):
    """``z`` (a linear unit)."""
    activation = "identity"


class Sigmoid(_Elementwise):
    """``1 / (1 + exp(-z))``."""
    activation = "sigmoid"


class Tanh(_Elementwise):
    """``tanh(z)``."""
    activation = "tanh"


class LeakyReLU(_Elementwise):
    """``z`` if z > 0 else ``0.1 z``."""
    activation = "leaky_relu"


class ELU(_Elementwise):
    """``z`` if z > 0 else ``alpha (exp(z) - 1)``."""
    activation = "elu"

    def __init__(self, alpha=1.0, *, name=None):
        super().__init__(name=name)
        elu(alpha)                 # validates: a finite number > 0
        self.alpha = float(alpha)

    def _function(self):
        return elu(self.alpha)

    def config(self):
        return {"alpha": self.alpha, **super().config()}


class Maxout(Layer):
    """Maxout over groups of ``k`` consecutive units: (n, m*k) -> (n, m); backward routes to each group's winner."""

    def __init__(self, k=2, *, name=None):
        super().__init__(name=name)
        self.k = _check_positive_int("k", k)

    def output_shape(self, in_shape):
        if len(in_shape) != 1 or in_shape[0] % self.k:
            raise ValueError(f"Maxout({self.k}) needs feature vectors whose length k divides, got {in_shape}")
        return (in_shape[0] // self.k,)

    def forward(self, x, training=False):
        g = x.reshape(len(x), -1, self.k)
        arg = g.argmax(axis=2)
        if training:
            self._saved_arg = arg
        return np.take_along_axis(g, arg[..., None], axis=2)[..., 0]

    def backward(self, grad, need_input_grad=True):
        n, m = grad.shape
        out = np.zeros((n, m, self.k), dtype=grad.dtype)
        np.put_along_axis(out, self._saved_arg[..., None], grad[..., None], axis=2)
        return out.reshape(n, m * self.k)

    def config(self):
        return {"k": self.k, **super().config()}


ACTIVATION_LAYERS = {"identity": Identity, "sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU,
                     "leaky_relu": LeakyReLU, "elu": ELU}

LAYERS = {cls.__name__: cls for cls in (Dense, Conv2d, MaxPool2d, AvgPool2d, Flatten, ReLU, Identity, Sigmoid,
                                        Tanh, LeakyReLU, ELU, Maxout)}


def activation_layer(name):
    """The layer of a named activation (``"relu"``, ``"tanh"``, ...; see :data:`ACTIVATION_LAYERS`)."""
    get_activation(name)        # ValueError listing the choices
    return ACTIVATION_LAYERS[name]()


def layer_from_config(config):
    """Rebuild a layer from ``{"type": class name, **constructor arguments}``."""
    config = dict(config)
    kind = config.pop("type", None)
    if kind not in LAYERS:
        raise ValueError(f"unknown layer type {kind!r}; known are {sorted(LAYERS)}")
    return LAYERS[kind](*_positional(kind, config), **config)


def _positional(kind, config):
    """Pop the positional constructor arguments of a layer type out of ``config``."""
    names = {"Dense": ("out_features",), "Conv2d": ("out_channels", "kernel_size")}.get(kind, ())
    return [config.pop(n) for n in names]


# ---------------------------------------------------------------- the stack
class Sequential:
    """Layers applied one after the other; forward goes up the stack, backward down.

    Parameters
    ----------
    *layers : Layer
        The layers (or one list of them).  Parameter names are
        ``"<layer name>.<parameter>"``, the layer's index standing in for a
        missing name, as in a ``torch.nn.Sequential``'s state_dict.
    """

    def __init__(self, *layers):
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        for k, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layer {k} must be a spikesim.ann.layers.Layer, got {type(layer).__name__}")
        self.layers = list(layers)
        keys = self.layer_keys()
        if len(set(keys)) != len(keys):
            raise ValueError(f"layer names must be unique, got {keys}")
        self.input_shape = None

    def layer_keys(self):
        """Each layer's name, or its index as a string."""
        return [layer.name if layer.name is not None else str(k) for k, layer in enumerate(self.layers)]

    def __iter__(self):
        return iter(self.layers)

    def __len__(self):
        return len(self.layers)

    def __getitem__(self, k):
        return self.layers[k]

    def __repr__(self):
        inner = "".join(f"\n  {layer!r}," for layer in self.layers)
        return f"Sequential({inner}\n)"

    # -------------------------------------------------------------- building
    def build(self, input_shape, rng=None, dtype=np.float64):
        """Fix the shape of one input sample, infer every size and create missing parameters; returns self."""
        shape = tuple(int(s) for s in np.atleast_1d(input_shape))
        self.input_shape = shape
        for key, layer in zip(self.layer_keys(), self.layers):
            try:
                shape = layer.build(shape, rng, dtype)
            except ValueError as exc:
                raise ValueError(f"layer {key} ({type(layer).__name__}): {exc}") from None
        return self

    @property
    def built(self):
        return self.input_shape is not None

    @property
    def output_shape(self):
        return self.layers[-1].out_shape if self.layers else self.input_shape

    @property
    def n_parameters(self):
        return int(sum(p.size for p in self.parameters().values()))

    @property
    def dtype(self):
        params = list(self.parameters().values())
        return params[0].dtype if params else np.dtype(np.float64)

    # -------------------------------------------------------------- forward and backward
    def forward(self, x, training=False):
        """Output of the last layer; with ``training=True`` every layer remembers what backward needs."""
        for layer in self.layers:
            x = layer.forward(x, training)
        return x

    def activations(self, x):
        """Every layer's output for input ``x``: a list as long as the stack."""
        out = []
        for layer in self.layers:
            x = layer.forward(x)
            out.append(x)
        return out

    def backward(self, grad, need_input_grad=True):
        """Chain rule from dLoss/d(output) down the stack; returns dLoss/d(input) (None if not needed)."""
        for k in range(len(self.layers) - 1, -1, -1):
            grad = self.layers[k].backward(grad, need_input_grad=need_input_grad or k > 0)
        return grad

    def forget(self):
        """Drop every layer's remembered arrays (after training)."""
        for layer in self.layers:
            layer.forget()

    # -------------------------------------------------------------- parameters
    def parameters(self):
        """Every parameter array by name, in layer order (the arrays themselves, not copies)."""
        return {f"{key}.{name}": value for key, layer in zip(self.layer_keys(), self.layers)
                for name, value in layer.parameters().items()}

    def gradients(self):
        """The gradients left by the last :meth:`backward`, with the names of :meth:`parameters`."""
        return {f"{key}.{name}": value for key, layer in zip(self.layer_keys(), self.layers)
                for name, value in layer.grads.items()}

    def state_dict(self):
        """Copies of the parameters by name."""
        return {k: v.copy() for k, v in self.parameters().items()}

    def load_state_dict(self, state):
        """Set the parameters from arrays (or torch tensors) with the names and shapes of :meth:`parameters`."""
        own = self.parameters()
        missing = sorted(set(own) - set(state))
        unexpected = sorted(set(state) - set(own))
        if missing or unexpected:
            raise ValueError(f"state_dict does not match the network: missing {missing}, unexpected {unexpected}")
        new = {}
        for name, current in own.items():
            v = state[name]
            v = v.detach().cpu().numpy() if hasattr(v, "detach") else np.asarray(v)
            if current is not None and v.shape != current.shape:
                raise ValueError(f"{name} must have shape {current.shape}, got {v.shape}")
            new[name] = v
        for key, layer in zip(self.layer_keys(), self.layers):
            for pname in layer.parameters():
                cur = getattr(layer, pname)
                dtype = cur.dtype if cur is not None else np.float64
                setattr(layer, pname, np.ascontiguousarray(new[f"{key}.{pname}"], dtype=dtype))
        return self

    def astype(self, dtype):
        """A copy with every parameter cast to ``dtype`` (nothing remembered)."""
        net = self.copy()
        for layer in net.layers:
            for pname, value in layer.parameters().items():
                if value is not None:
                    setattr(layer, pname, np.ascontiguousarray(value, dtype=dtype))
        return net

    def copy(self):
        """A deep copy without the arrays remembered for backward."""
        net = copy.deepcopy(self)
        net.forget()
        return net

    # -------------------------------------------------------------- description
    def config(self):
        """The layers as a list of ``{"type": ..., **arguments}`` (JSON-serialisable)."""
        return [{"type": type(layer).__name__, **layer.config()} for layer in self.layers]

    @classmethod
    def from_config(cls, config):
        """The (unbuilt) stack described by :meth:`config`."""
        if not isinstance(config, (list, tuple)):
            raise ValueError(f"a network description must be a list of layers, got {type(config).__name__}")
        return cls(*[layer_from_config(c) for c in config])
