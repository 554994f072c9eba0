#!/usr/bin/python3
"""Writes the ai.onnx.ml test models of tests/graph/ml_models/, laid out the way sklearn-onnx
exports scikit-learn pipelines (sklearn-onnx and scikit-learn are not needed: the trees and
linear models are fitted here with numpy), each in the ONNX backend-test layout:

    <name>/model.onnx
    <name>/test_data_set_0/input_<k>.pb     written here
    <name>/test_data_set_0/output_<k>.pb    written by ONNX Runtime:
                                            node ../shared/tools/ort_ref.js tests/graph/ml_models/*

Usage: tools/make-ml-models.py [OUT_DIR]   (default tests/graph/ml_models)

Layouts follow sklearn-onnx's converters: a StandardScaler is a Scaler (offset = mean,
scale = 1/std); LogisticRegression a LinearClassifier (multinomial: SOFTMAX; binary: one
coefficient row, LOGISTIC); a RandomForest a TreeEnsemble* whose leaf weights are divided by
the number of trees (SUM), a GradientBoosting regressor / binary classifier a TreeEnsemble*
with the initial estimate in base_values (classifier: class 0 only scored, LOGISTIC);
SimpleImputer an Imputer with replaced_value_float = NaN. The classifiers have no ZipMap
(sklearn-onnx option zipmap=False) except zipmap_int64 / zipmap_strings, the default export,
whose reference this script makes by running ort_ref.js itself (see zipmap_models).
"""
import os
import sys

import numpy as np

np.float = float
np.int = int
np.bool = bool
np.object = object
import onnx  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

ML = "ai.onnx.ml"
RNG = np.random.default_rng(18)


def fit_tree(x, target, depth, min_leaf=4):
    """A CART-like tree: at each node the (feature, threshold) among a few random candidates
    that most reduces the squared error of `target` ([n, k]); leaves hold target means.
    Returns a list of nodes (dicts) in pre-order, node ids = list positions."""
    nodes = []

    def grow(idx, d):
        me = len(nodes)
        nodes.append(None)
        best = None
        if d < depth and len(idx) >= 2 * min_leaf:
            for _ in range(12):
                f = int(RNG.integers(x.shape[1]))
                t = float(np.quantile(x[idx, f], RNG.uniform(0.2, 0.8)))
                left = idx[x[idx, f] <= t]
                right = idx[x[idx, f] > t]
                if len(left) < min_leaf or len(right) < min_leaf:
                    continue
                err = sum(((target[s] - target[s].mean(0)) ** 2).sum() for s in (left, right))
                if best is None or err < best[0]:
                    best = (err, f, np.float32(t), left, right)
        if best is None:
            nodes[me] = {"leaf": target[idx].mean(0)}
            return me
        _, f, t, left, right = best
        lt = grow(left, d + 1)
        rt = grow(right, d + 1)
        nodes[me] = {"feature": f, "threshold": float(t), "true": lt, "false": rt}
        return me

    grow(np.arange(len(x)), 0)
    return nodes


def tree_attributes(trees, prefix, scale=1.0, classes=None):
    """sklearn-onnx's nodes_* arrays for a list of trees; leaf values go to `prefix`_*.
    `classes` lists the target ids written per leaf (default: every column)."""
    a = {k: [] for k in ["nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_values",
                         "nodes_modes", "nodes_truenodeids", "nodes_falsenodeids",
                         "nodes_hitrates", "nodes_missing_value_tracks_true"]}
    w = {prefix + "_treeids": [], prefix + "_nodeids": [], prefix + "_ids": [],
         prefix + "_weights": []}
    for t, nodes in enumerate(trees):
        for i, n in enumerate(nodes):
            a["nodes_treeids"].append(t)
            a["nodes_nodeids"].append(i)
            a["nodes_hitrates"].append(1.0)
            a["nodes_missing_value_tracks_true"].append(0)
            if "leaf" in n:
                a["nodes_featureids"].append(0)
                a["nodes_values"].append(0.0)
                a["nodes_modes"].append("LEAF")
                a["nodes_truenodeids"].append(0)
                a["nodes_falsenodeids"].append(0)
                for k in (classes if classes is not None else range(len(n["leaf"]))):
                    w[prefix + "_treeids"].append(t)
                    w[prefix + "_nodeids"].append(i)
                    w[prefix + "_ids"].append(k)
                    w[prefix + "_weights"].append(float(n["leaf"][k]) * scale)
            else:
                a["nodes_featureids"].append(n["feature"])
                a["nodes_values"].append(n["threshold"])
                a["nodes_modes"].append("BRANCH_LEQ")
                a["nodes_truenodeids"].append(n["true"])
                a["nodes_falsenodeids"].append(n["false"])
    a.update(w)
    return a


def data(n=64, c=4):
    x = RNG.normal(size=(n, c)).astype(np.float32) * np.array([1, 2, 0.5, 3], np.float32)[:c]
    return x + np.array([0.5, -1, 2, 0], np.float32)[:c]


def save(out, name, nodes, inputs, outputs, feeds, ml_opset=1, check=True):
    graph = helper.make_graph(nodes, name, inputs, outputs)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15),
                                                    helper.make_opsetid(ML, ml_opset)],
                              producer_name="skl2onnx-layout (tools/make-ml-models.py)")
    model.ir_version = 8
    if check:  # onnx 1.12's checker knows ai.onnx.ml up to opset 3
        onnx.checker.check_model(model)
    d = os.path.join(out, name)
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    onnx.save(model, os.path.join(d, "model.onnx"))
    for k, (iname, arr) in enumerate(feeds):
        t = numpy_helper.from_array(arr, iname)
        with open(os.path.join(d, "test_data_set_0", "input_%d.pb" % k), "wb") as f:
            f.write(t.SerializeToString())


def fin(name, dtype, dims):
    return helper.make_tensor_value_info(name, dtype, dims)


def scaler_logreg(out, binary):
    x = data()
    mean, std = x.mean(0), x.std(0)
    z = (x - mean) / std
    classes = 2 if binary else 3
    # Least-squares "logistic" fit on one-hot targets: any coefficients serve as a reference.
    y = (z[:, 0] + 0.5 * z[:, 1] > 0).astype(int) if binary else np.digitize(z[:, 0] - z[:, 3], [-0.5, 0.5])
    onehot = np.eye(classes)[y]
    zz = np.hstack([z, np.ones((len(z), 1))])
    coef = np.linalg.lstsq(zz, onehot * 4 - 2, rcond=None)[0].T  # [classes, c + 1]
    if binary:
        coef = coef[1:2] - coef[0:1]
    labels = [10, 20] if binary else [0, 1, 2]
    nodes = [
        helper.make_node("Scaler", ["X"], ["scaled"], domain=ML, offset=mean.tolist(),
                         scale=(1 / std).tolist()),
        helper.make_node("LinearClassifier", ["scaled"], ["label", "probabilities"], domain=ML,
                         coefficients=coef[:, :-1].flatten().tolist(),
                         intercepts=coef[:, -1].tolist(), classlabels_ints=labels,
                         multi_class=0, post_transform="LOGISTIC" if binary else "SOFTMAX"),
    ]
    save(out, "scaler_logreg_binary" if binary else "scaler_logreg", nodes,
         [fin("X", TensorProto.FLOAT, [None, 4])],
         [fin("label", TensorProto.INT64, [None]),
          fin("probabilities", TensorProto.FLOAT, [None, classes])], [("X", x[:16])])


def linear_regressor(out):
    x = data()
    w = RNG.normal(size=(2, 4))
    nodes = [helper.make_node("LinearRegressor", ["X"], ["variable"], domain=ML,
                              coefficients=w.flatten().tolist(), intercepts=[0.5, -1.5],
                              targets=2)]
    save(out, "linear_regressor", nodes, [fin("X", TensorProto.FLOAT, [None, 4])],
         [fin("variable", TensorProto.FLOAT, [None, 2])], [("X", x[:16])])


def random_forest_regressor(out, aggregate):
    x = data(128)
    y = (np.sin(x[:, 0]) + 0.3 * x[:, 1] * x[:, 2])[:, None]
    trees = []
    for _ in range(5):
        boot = RNG.integers(len(x), size=len(x))
        trees.append(fit_tree(x[boot], y[boot], depth=4))
    scale = 1.0 / len(trees) if aggregate == "SUM" else 1.0
    attrs = tree_attributes(trees, "target", scale)
    nodes = [helper.make_node("TreeEnsembleRegressor", ["X"], ["variable"], domain=ML,
                              n_targets=1, aggregate_function=aggregate,
                              post_transform="NONE", base_values=[0.0], **attrs)]
    save(out, "forest_regressor_" + aggregate.lower(), nodes,
         [fin("X", TensorProto.FLOAT, [None, 4])],
         [fin("variable", TensorProto.FLOAT, [None, 1])], [("X", x[:32])])


def gradient_boosting_regressor(out):
    x = data(128)
    y = (x[:, 0] ** 2 - x[:, 3])[:, None]
    init = float(y.mean())
    resid = y - init
    trees = []
    for _ in range(6):
        tr = fit_tree(x, resid, depth=3)
        trees.append(tr)
        resid = resid - 0.3 * np.array([leaf_of(tr, r) for r in x])
    attrs = tree_attributes(trees, "target", 0.3)
    nodes = [helper.make_node("TreeEnsembleRegressor", ["X"], ["variable"], domain=ML,
                              n_targets=1, aggregate_function="SUM", post_transform="NONE",
                              base_values=[init], **attrs)]
    save(out, "boosting_regressor", nodes, [fin("X", TensorProto.FLOAT, [None, 4])],
         [fin("variable", TensorProto.FLOAT, [None, 1])], [("X", x[:32])])


def leaf_of(nodes, row):
    n = nodes[0]
    while "leaf" not in n:
        n = nodes[n["true"] if row[n["feature"]] <= n["threshold"] else n["false"]]
    return n["leaf"]


def random_forest_classifier(out):
    x = data(128)
    y = np.digitize(x[:, 0] + 0.5 * x[:, 1], [-0.5, 1.0])
    onehot = np.eye(3)[y]
    trees = []
    for _ in range(4):
        boot = RNG.integers(len(x), size=len(x))
        trees.append(fit_tree(x[boot], onehot[boot], depth=4))
    attrs = tree_attributes(trees, "class", 1.0 / len(trees))
    nodes = [helper.make_node("TreeEnsembleClassifier", ["X"], ["label", "probabilities"],
                              domain=ML, classlabels_int64s=[0, 1, 2], post_transform="NONE",
                              **attrs)]
    save(out, "forest_classifier", nodes, [fin("X", TensorProto.FLOAT, [None, 4])],
         [fin("label", TensorProto.INT64, [None]),
          fin("probabilities", TensorProto.FLOAT, [None, 3])], [("X", x[:32])])


def gradient_boosting_classifier(out):
    x = data(128)
    y = (x[:, 0] - x[:, 2] + 0.3 * x[:, 1] > -1.5).astype(float)
    p0 = y.mean()
    init = float(np.log(p0 / (1 - p0)))
    f = np.full(len(x), init)
    trees = []
    for _ in range(5):
        resid = (y - 1 / (1 + np.exp(-f)))[:, None]
        tr = fit_tree(x, resid, depth=3)
        trees.append(tr)
        f = f + 0.5 * np.array([leaf_of(tr, r)[0] for r in x])
    attrs = tree_attributes(trees, "class", 0.5, classes=[0])
    nodes = [helper.make_node("TreeEnsembleClassifier", ["X"], ["label", "probabilities"],
                              domain=ML, classlabels_int64s=[0, 1], post_transform="LOGISTIC",
                              base_values=[init], **attrs)]
    save(out, "boosting_classifier_binary", nodes, [fin("X", TensorProto.FLOAT, [None, 4])],
         [fin("label", TensorProto.INT64, [None]),
          fin("probabilities", TensorProto.FLOAT, [None, 2])], [("X", x[:32])])


def preprocess(out):
    x = data(12)
    x[[1, 4, 7], [0, 2, 3]] = np.nan
    means = np.nanmean(x, 0)
    c = RNG.choice([1, 3, 5, 7], size=(12, 1)).astype(np.int64)
    nodes = [
        helper.make_node("Imputer", ["X"], ["imputed"], domain=ML,
                         imputed_value_floats=means.tolist(), replaced_value_float=np.nan),
        helper.make_node("ArrayFeatureExtractor", ["imputed", "columns"], ["picked"], domain=ML),
        helper.make_node("Normalizer", ["picked"], ["l2"], domain=ML, norm="L2"),
        helper.make_node("Normalizer", ["picked"], ["l1"], domain=ML, norm="L1"),
        helper.make_node("Binarizer", ["imputed"], ["binary"], domain=ML, threshold=0.5),
        helper.make_node("FeatureVectorizer", ["picked", "binary"], ["joined"], domain=ML,
                         inputdimensions=[3, 4]),
        helper.make_node("OneHotEncoder", ["C"], ["onehot"], domain=ML, cats_int64s=[1, 3, 5],
                         zeros=1),
        helper.make_node("LabelEncoder", ["C"], ["encoded"], domain=ML, keys_int64s=[1, 3, 5],
                         values_floats=[0.5, 1.5, 2.5], default_float=-1.0),
    ]
    columns = numpy_helper.from_array(np.array([0, 2, 3], np.int64), "columns")
    graph = helper.make_graph(
        nodes, "preprocess",
        [fin("X", TensorProto.FLOAT, [None, 4]), fin("C", TensorProto.INT64, [None, 1])],
        [fin("l2", TensorProto.FLOAT, [None, 3]), fin("l1", TensorProto.FLOAT, [None, 3]),
         fin("joined", TensorProto.FLOAT, [None, 7]), fin("onehot", TensorProto.FLOAT, [None, 1, 3]),
         fin("encoded", TensorProto.FLOAT, [None, 1])], [columns])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15),
                                                    helper.make_opsetid(ML, 2)],
                              producer_name="skl2onnx-layout (tools/make-ml-models.py)")
    model.ir_version = 8
    onnx.checker.check_model(model)
    d = os.path.join(out, "preprocess")
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    onnx.save(model, os.path.join(d, "model.onnx"))
    for k, (iname, arr) in enumerate([("X", x), ("C", c)]):
        with open(os.path.join(d, "test_data_set_0", "input_%d.pb" % k), "wb") as f:
            f.write(numpy_helper.from_array(arr, iname).SerializeToString())


def two_class_forms(out):
    """Small hand-made ensembles and linear classifiers for the two-class forms and the rarer
    post-transforms, whose ONNX Runtime outputs pin down the conventions inlay follows."""
    x = RNG.normal(size=(8, 2)).astype(np.float32)
    trees = dict(nodes_treeids=[0, 0, 0, 1, 1, 1], nodes_nodeids=[0, 1, 2, 0, 1, 2],
                 nodes_featureids=[0, 0, 0, 1, 0, 0], nodes_values=[0.1, 0, 0, -0.2, 0, 0],
                 nodes_modes=["BRANCH_LEQ", "LEAF", "LEAF", "BRANCH_GT", "LEAF", "LEAF"],
                 nodes_truenodeids=[1, 0, 0, 1, 0, 0], nodes_falsenodeids=[2, 0, 0, 2, 0, 0])
    leaves = dict(class_treeids=[0, 0, 1, 1], class_nodeids=[1, 2, 1, 2])
    label = fin("label", TensorProto.INT64, [None])

    def scores(n):
        return fin("scores", TensorProto.FLOAT, [None, n])

    def one(name, node, outputs):
        save(out, name, [node], [fin("X", TensorProto.FLOAT, [None, 2])], outputs, [("X", x)])

    def tree_classifier(name, ids, weights, labels, post="NONE"):
        one(name, helper.make_node("TreeEnsembleClassifier", ["X"], ["label", "scores"], domain=ML,
                                   classlabels_int64s=labels, post_transform=post,
                                   class_ids=ids, class_weights=weights, **leaves, **trees),
            [label, scores(len(labels))])

    tree_classifier("trees_binary_class0_probabilities", [0] * 4, [0.1, 0.3, 0.2, 0.5], [4, 9])
    tree_classifier("trees_binary_class0_margins", [0] * 4, [-0.1, 0.3, 0.2, -0.5], [4, 9])
    tree_classifier("trees_binary_class1_probabilities", [1] * 4, [0.1, 0.3, 0.2, 0.5], [4, 9])
    tree_classifier("trees_binary_class1_logistic", [1] * 4, [-0.1, 0.3, 0.2, 0.5], [4, 9],
                    "LOGISTIC")
    tree_classifier("trees_softmax_zero", [0, 1, 2, 1], [1.0, 2.0, 3.0, 0.5], [1, 2, 3],
                    "SOFTMAX_ZERO")
    one("trees_probit", helper.make_node(
        "TreeEnsembleRegressor", ["X"], ["scores"], domain=ML, n_targets=1,
        post_transform="PROBIT", target_treeids=[0, 0, 1, 1], target_nodeids=[1, 2, 1, 2],
        target_ids=[0] * 4, target_weights=[0.1, 0.2, 0.3, 0.15], **trees), [scores(1)])
    one("linear_binary_none", helper.make_node(
        "LinearClassifier", ["X"], ["label", "scores"], domain=ML, coefficients=[1.0, -2.0],
        intercepts=[0.3], classlabels_ints=[0, 1]), [label, scores(2)])
    one("linear_ovr_logistic", helper.make_node(
        "LinearClassifier", ["X"], ["label", "scores"], domain=ML,
        coefficients=[1.0, -2.0, 0.5, 0.5, -1, 0], intercepts=[0.3, 0, 0.1],
        classlabels_ints=[0, 1, 2], post_transform="LOGISTIC"), [label, scores(3)])


def svm_models(out):
    """SVMs laid out as sklearn-onnx writes libsvm's fits: support vectors grouped by class
    (vectors_per_class = n_support_), dual coefficients [classes - 1, vectors], rho one per
    class pair, prob_a / prob_b the Platt parameters (SVC(probability=True)); SVR / OneClassSVM
    as SVMRegressor with n_supports. The vectors are rows of the data and the coefficients
    random: any values serve as a reference. Also the liblinear form (no support vectors)."""
    x = data(64)
    mean, std = x.mean(0), x.std(0)
    z = ((x - mean) / std).astype(np.float32)

    def vectors(n):
        return z[RNG.choice(len(z), size=n, replace=False)]

    label = fin("label", TensorProto.INT64, [None])
    per_class = [3, 4, 2]
    sv = vectors(sum(per_class))
    dual = RNG.normal(size=(2, sum(per_class)))
    nodes = [
        helper.make_node("Scaler", ["X"], ["scaled"], domain=ML, offset=mean.tolist(),
                         scale=(1 / std).tolist()),
        helper.make_node("SVMClassifier", ["scaled"], ["label", "probabilities"], domain=ML,
                         classlabels_ints=[0, 1, 2], kernel_type="RBF",
                         kernel_params=[0.25, 0.0, 3.0], vectors_per_class=per_class,
                         support_vectors=sv.flatten().tolist(),
                         coefficients=dual.flatten().tolist(), rho=[0.1, -0.2, 0.3],
                         prob_a=[-1.5, -2.0, -1.0], prob_b=[0.1, -0.2, 0.05]),
    ]
    save(out, "svc_rbf_probability", nodes, [fin("X", TensorProto.FLOAT, [None, 4])],
         [label, fin("probabilities", TensorProto.FLOAT, [None, 3])], [("X", x[:24])])

    def one(name, node, outputs, rows=24):
        save(out, name, [node], [fin("X", TensorProto.FLOAT, [None, 4])], outputs,
             [("X", z[:rows])])

    sv = vectors(5)
    one("svc_poly_binary", helper.make_node(
        "SVMClassifier", ["X"], ["label", "scores"], domain=ML,
        classlabels_ints=[-1, 1], kernel_type="POLY", kernel_params=[0.5, 1.0, 3.0],
        vectors_per_class=[2, 3], support_vectors=sv.flatten().tolist(),
        coefficients=RNG.normal(size=5).tolist(), rho=[0.25]),
        [label, fin("scores", TensorProto.FLOAT, [None, 2])])
    sv = vectors(6)
    one("svc_sigmoid_votes", helper.make_node(
        "SVMClassifier", ["X"], ["label", "scores"], domain=ML, classlabels_ints=[5, 6, 7],
        kernel_type="SIGMOID", kernel_params=[0.3, -0.1, 0.0], vectors_per_class=[2, 2, 2],
        support_vectors=sv.flatten().tolist(),
        coefficients=RNG.normal(size=(2, 6)).flatten().tolist(), rho=[0.05, -0.1, 0.2]),
        [label, fin("scores", TensorProto.FLOAT, [None, 3])])
    one("svm_linear_form", helper.make_node(
        "SVMClassifier", ["X"], ["label", "scores"], domain=ML, classlabels_ints=[0, 1, 2],
        kernel_params=[0.0, 0.0, 0.0], coefficients=RNG.normal(size=(3, 4)).flatten().tolist(),
        rho=[0.2]),
        [label, fin("scores", TensorProto.FLOAT, [None, 3])])
    sv = vectors(6)
    one("svr_rbf", helper.make_node(
        "SVMRegressor", ["X"], ["variable"], domain=ML, kernel_type="RBF",
        kernel_params=[0.2, 0.0, 3.0], n_supports=6, support_vectors=sv.flatten().tolist(),
        coefficients=RNG.normal(size=6).tolist(), rho=[0.4]),
        [fin("variable", TensorProto.FLOAT, [None, 1])])
    one("svr_linear_form", helper.make_node(
        "SVMRegressor", ["X"], ["variable"], domain=ML,
        kernel_params=[0.0, 0.0, 0.0], coefficients=RNG.normal(size=4).tolist(), rho=[-0.3]),
        [fin("variable", TensorProto.FLOAT, [None, 1])])
    sv = vectors(4)
    one("one_class_svm", helper.make_node(
        "SVMRegressor", ["X"], ["variable"], domain=ML, kernel_type="RBF",
        kernel_params=[0.5, 0.0, 3.0], n_supports=4, support_vectors=sv.flatten().tolist(),
        coefficients=[0.6, 0.5, 0.5, 0.4], rho=[-0.3], one_class=1),
        [fin("variable", TensorProto.FLOAT, [None, 1])])


def category_mapper(out):
    """CategoryMapper both ways, as sklearn-onnx writes a string lookup: strings to codes, and
    codes to names and back to codes (the outputs stay int64, which the reference tool writes)."""
    colors = np.array(["red", "blue", "teal", "green", "red", "violet"], dtype=object)
    codes = np.array([3, 1, 7, 2, 3, 0], np.int64)
    cats = dict(cats_strings=["red", "green", "blue", "teal"], cats_int64s=[3, 2, 1, 7])
    nodes = [
        helper.make_node("CategoryMapper", ["color"], ["code"], domain=ML, default_int64=-5,
                         **cats),
        helper.make_node("CategoryMapper", ["id"], ["name"], domain=ML, default_string="blue",
                         **cats),
        helper.make_node("CategoryMapper", ["name"], ["round_trip"], domain=ML, **cats),
    ]
    save(out, "category_mapper", nodes,
         [fin("color", TensorProto.STRING, [None]), fin("id", TensorProto.INT64, [None])],
         [fin("code", TensorProto.INT64, [None]), fin("round_trip", TensorProto.INT64, [None])],
         [("color", colors), ("id", codes)])


def label_encoder_v4(out):
    """LabelEncoder opset 4 (ONNX 1.15), with keys, values and defaults as tensors: double keys
    (one NaN) to int64 with a default tensor, and strings to doubles with the type's default."""
    x = np.array([0.5, 2.0, np.nan, 1.5, 0.5], np.float64)
    colors = np.array(["red", "blue", "teal", "red"], dtype=object)
    nodes = [
        helper.make_node("LabelEncoder", ["x"], ["code"], domain=ML,
                         keys_tensor=numpy_helper.from_array(
                             np.array([0.5, 1.5, np.nan], np.float64), "keys"),
                         values_tensor=numpy_helper.from_array(
                             np.array([10, 20, 30], np.int64), "values"),
                         default_tensor=numpy_helper.from_array(np.array([-7], np.int64),
                                                                "default")),
        helper.make_node("LabelEncoder", ["color"], ["weight"], domain=ML,
                         keys_tensor=numpy_helper.from_array(
                             np.array(["red", "blue"], dtype=object), "keys"),
                         values_tensor=numpy_helper.from_array(
                             np.array([0.25, 4.0], np.float64), "values")),
    ]
    save(out, "label_encoder_v4", nodes,
         [fin("x", TensorProto.DOUBLE, [None]), fin("color", TensorProto.STRING, [None])],
         [fin("code", TensorProto.INT64, [None]), fin("weight", TensorProto.DOUBLE, [None])],
         [("x", x), ("color", colors)], ml_opset=4, check=False)


def map_proto(keys, values):
    """A MapProto as onnx.numpy_helper.from_dict writes it: int64 or string keys, the values a
    SequenceProto of one 0-D float tensor per key."""
    m = onnx.MapProto()
    if isinstance(keys[0], str):
        m.key_type = TensorProto.STRING
        m.string_keys.extend(k.encode() for k in keys)
    else:
        m.key_type = TensorProto.INT64
        m.keys.extend(int(k) for k in keys)
    m.values.elem_type = onnx.SequenceProto.TENSOR
    for v in values:
        m.values.tensor_values.append(numpy_helper.from_array(np.array(v, np.float32)))
    return m


def zipmap_models(out):
    """Classifiers WITH ZipMap, as sklearn-onnx exports them by default: LinearClassifier,
    Normalizer (L1) of its scores, Cast of the label, ZipMap -> output_probability, a sequence
    of maps {label: probability}. ONNX Runtime's node binding returns no maps, so the reference
    is its probabilities for the same graph without the ZipMap node (ort_ref.js, run here)
    zipped with the labels: ZipMap's whole definition."""
    import subprocess
    import tempfile
    x = data()
    mean, std = x.mean(0), x.std(0)
    z = (x - mean) / std
    y = np.digitize(z[:, 0] - z[:, 3], [-0.5, 0.5])
    zz = np.hstack([z, np.ones((len(z), 1))])
    coef = np.linalg.lstsq(zz, np.eye(3)[y] * 4 - 2, rcond=None)[0].T
    tool = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared",
                        "tools", "ort_ref.js")

    def one(name, labels):
        key = "classlabels_strings" if isinstance(labels[0], str) else "classlabels_int64s"
        lin_key = "classlabels_strings" if isinstance(labels[0], str) else "classlabels_ints"
        nodes = [
            helper.make_node("Scaler", ["X"], ["scaled"], domain=ML, offset=mean.tolist(),
                             scale=(1 / std).tolist()),
            helper.make_node("LinearClassifier", ["scaled"], ["label", "probability_tensor"],
                             domain=ML, coefficients=coef[:, :-1].flatten().tolist(),
                             intercepts=coef[:, -1].tolist(), multi_class=1,
                             post_transform="SOFTMAX", **{lin_key: labels}),
            helper.make_node("Normalizer", ["probability_tensor"], ["probabilities"], domain=ML,
                             norm="L1"),
        ]
        outputs = []
        if key == "classlabels_int64s":
            nodes.append(helper.make_node("Cast", ["label"], ["output_label"],
                                          to=TensorProto.INT64))
            outputs.append(fin("output_label", TensorProto.INT64, [None]))
        zip_node = helper.make_node("ZipMap", ["probabilities"], ["output_probability"],
                                    domain=ML, **{key: labels})
        key_type = TensorProto.STRING if key == "classlabels_strings" else TensorProto.INT64
        map_type = onnx.TypeProto()  # onnx 1.12's helper has no make_map_type_proto
        map_type.map_type.key_type = key_type
        map_type.map_type.value_type.CopyFrom(helper.make_tensor_type_proto(TensorProto.FLOAT,
                                                                            None))
        seq_map = helper.make_sequence_type_proto(map_type)
        full = outputs + [helper.make_value_info("output_probability", seq_map)]
        feeds = [("X", x[:16])]
        save(out, name, nodes + [zip_node], [fin("X", TensorProto.FLOAT, [None, 4])], full, feeds)
        with tempfile.TemporaryDirectory() as tmp:
            plain = outputs + [fin("probabilities", TensorProto.FLOAT, [None, 3])]
            save(tmp, name, nodes, [fin("X", TensorProto.FLOAT, [None, 4])], plain, feeds)
            subprocess.run(["node", tool, os.path.join(tmp, name)], check=True,
                           stdout=subprocess.DEVNULL)
            ref = os.path.join(tmp, name, "test_data_set_0")
            d = os.path.join(out, name, "test_data_set_0")
            for k in range(len(outputs)):
                with open(os.path.join(ref, "output_%d.pb" % k), "rb") as f:
                    data_ = f.read()
                with open(os.path.join(d, "output_%d.pb" % k), "wb") as f:
                    f.write(data_)
            t = TensorProto()
            with open(os.path.join(ref, "output_%d.pb" % len(outputs)), "rb") as f:
                t.ParseFromString(f.read())
            probs = numpy_helper.to_array(t)
            seq = onnx.SequenceProto(name="output_probability", elem_type=onnx.SequenceProto.MAP)
            for row in probs:
                seq.map_values.append(map_proto(labels, row))
            with open(os.path.join(d, "output_%d.pb" % len(outputs)), "wb") as f:
                f.write(seq.SerializeToString())

    one("zipmap_int64", [0, 1, 2])
    one("zipmap_strings", ["setosa", "versicolor", "virginica"])


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "tests", "graph", "ml_models")
    scaler_logreg(out, binary=False)
    scaler_logreg(out, binary=True)
    linear_regressor(out)
    random_forest_regressor(out, "SUM")
    random_forest_regressor(out, "AVERAGE")
    gradient_boosting_regressor(out)
    random_forest_classifier(out)
    gradient_boosting_classifier(out)
    preprocess(out)
    two_class_forms(out)
    svm_models(out)
    category_mapper(out)
    label_encoder_v4(out)
    zipmap_models(out)


if __name__ == "__main__":
    main()
