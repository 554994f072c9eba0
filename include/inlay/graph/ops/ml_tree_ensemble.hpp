// ai.onnx.ml TreeEnsembleRegressor and TreeEnsembleClassifier (opsets 1 and 3): decision trees
// given as parallel nodes_* arrays, as sklearn-onnx writes random forests and gradient
// boosting. The arrays are checked at load (lengths, child ids in the same tree, no cycles)
// and turned into one flat node table; a row walks each tree from its root (the first node
// listed for the tree) to a leaf and adds the leaf's weights to its targets. The classifier's
// two-class special cases follow ONNX Runtime (the reference implementation sklearn-onnx
// targets). One difference, on purpose: a target that no reached leaf scores still gets its
// base value, as the spec says (ONNX Runtime writes 0 there; sklearn-onnx's leaves score every
// target, so its models never meet the case). Implementation-only.
#ifndef INLAY_GRAPH_OPS_ML_TREE_ENSEMBLE_HPP
#define INLAY_GRAPH_OPS_ML_TREE_ENSEMBLE_HPP

#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "inlay/graph/ops/ml_common.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

enum class TreeMode : std::uint8_t { leq, lt, gte, gt, eq, neq, leaf };
enum class TreeAggregate { sum, average, min, max };

// The trees of one ensemble: nodes in a flat table, leaves holding (target, weight) pairs.
class TreeTable {
 public:
  // `prefix` is "target" (regressor) or "class" (classifier).
  TreeTable(const OpInfo& info, const std::string& prefix) {
    const auto tree_ids = info.get_ints("nodes_treeids");
    const auto node_ids = info.get_ints("nodes_nodeids");
    const auto features = info.get_ints("nodes_featureids");
    const auto true_ids = info.get_ints("nodes_truenodeids");
    const auto false_ids = info.get_ints("nodes_falsenodeids");
    const auto modes = info.get_strings("nodes_modes");
    const auto missing = info.get_ints("nodes_missing_value_tracks_true");
    const std::vector<double> values = ml_reals(info, "nodes_values");
    const std::size_t n = tree_ids.size();
    if (n == 0) info.fail(ErrorKind::invalid_model, "nodes_treeids is empty: no trees");
    auto same_length = [&](std::size_t size, const char* name, bool optional) {
      if (size != n && !(optional && size == 0)) {
        info.fail(ErrorKind::invalid_model, std::string(name) + " has " + std::to_string(size) +
                                                " entries; nodes_treeids has " + std::to_string(n));
      }
    };
    same_length(node_ids.size(), "nodes_nodeids", false);
    same_length(features.size(), "nodes_featureids", false);
    same_length(true_ids.size(), "nodes_truenodeids", false);
    same_length(false_ids.size(), "nodes_falsenodeids", false);
    same_length(modes.size(), "nodes_modes", false);
    same_length(values.size(), "nodes_values", false);
    same_length(missing.size(), "nodes_missing_value_tracks_true", true);

    std::map<std::pair<std::int64_t, std::int64_t>, std::size_t> index;  // (tree, node) -> row
    std::set<std::int64_t> trees;
    nodes_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      if (!index.emplace(std::make_pair(tree_ids[i], node_ids[i]), i).second) {
        info.fail(ErrorKind::invalid_model, "node " + std::to_string(node_ids[i]) + " of tree " +
                                                std::to_string(tree_ids[i]) + " is listed twice");
      }
      if (trees.insert(tree_ids[i]).second) roots_.push_back(i);  // first node listed: root
      Node& nd = nodes_[i];
      nd.mode = choice_of<TreeMode>(info, "nodes_modes", modes[i],
                                    {{"BRANCH_LEQ", TreeMode::leq},
                                     {"BRANCH_LT", TreeMode::lt},
                                     {"BRANCH_GTE", TreeMode::gte},
                                     {"BRANCH_GT", TreeMode::gt},
                                     {"BRANCH_EQ", TreeMode::eq},
                                     {"BRANCH_NEQ", TreeMode::neq},
                                     {"LEAF", TreeMode::leaf}},
                                    ErrorKind::invalid_model);
      nd.feature = features[i];
      nd.value = values[i];
      nd.missing_true = !missing.empty() && missing[i] != 0;
      if (nd.mode != TreeMode::leaf && nd.feature < 0) {
        info.fail(ErrorKind::invalid_model, "nodes_featureids[" + std::to_string(i) + "] = " +
                                                std::to_string(nd.feature) + " is negative");
      }
      max_feature_ = std::max(max_feature_, nd.mode == TreeMode::leaf ? -1 : nd.feature);
    }
    // Children: ids within the same tree.
    for (std::size_t i = 0; i < n; ++i) {
      Node& nd = nodes_[i];
      if (nd.mode == TreeMode::leaf) continue;
      auto child = [&](std::int64_t id, const char* which) {
        auto it = index.find({tree_ids[i], id});
        if (it == index.end()) {
          info.fail(ErrorKind::invalid_model, std::string(which) + " " + std::to_string(id) +
                                                  " of node " + std::to_string(node_ids[i]) +
                                                  " in tree " + std::to_string(tree_ids[i]) +
                                                  " names no node of that tree");
        }
        return it->second;
      };
      nd.on_true = child(true_ids[i], "nodes_truenodeids");
      nd.on_false = child(false_ids[i], "nodes_falsenodeids");
    }
    check_acyclic(info, tree_ids, node_ids);

    // Leaf weights.
    const auto w_trees = info.get_ints(prefix + "_treeids");
    const auto w_nodes = info.get_ints(prefix + "_nodeids");
    const auto w_ids = info.get_ints(prefix + "_ids");
    const std::vector<double> w = ml_reals(info, prefix + "_weights");
    if (w_nodes.size() != w_trees.size() || w_ids.size() != w_trees.size() ||
        w.size() != w_trees.size()) {
      info.fail(ErrorKind::invalid_model, prefix + "_treeids, " + prefix + "_nodeids, " + prefix +
                                              "_ids and " + prefix +
                                              "_weights must have the same length");
    }
    for (std::size_t k = 0; k < w_trees.size(); ++k) {
      auto it = index.find({w_trees[k], w_nodes[k]});
      if (it == index.end()) {
        info.fail(ErrorKind::invalid_model, prefix + "_nodeids[" + std::to_string(k) +
                                                "] names node " + std::to_string(w_nodes[k]) +
                                                " of tree " + std::to_string(w_trees[k]) +
                                                ", which does not exist");
      }
      if (w_ids[k] < 0) {
        info.fail(ErrorKind::invalid_model, prefix + "_ids[" + std::to_string(k) +
                                                "] = " + std::to_string(w_ids[k]) + " is negative");
      }
      nodes_[it->second].weights.push_back({w_ids[k], w[k]});
      max_target_ = std::max(max_target_, w_ids[k]);
    }
  }

  struct Weight {
    std::int64_t target;
    double value;
  };
  std::size_t tree_count() const noexcept { return roots_.size(); }
  std::int64_t max_feature() const noexcept { return max_feature_; }
  std::int64_t max_target() const noexcept { return max_target_; }

  // The weights of the leaf that row x reaches in tree t.
  const std::vector<Weight>& leaf(std::size_t t, const double* x) const {
    const Node* nd = &nodes_[roots_[t]];
    while (nd->mode != TreeMode::leaf) {
      const double v = x[nd->feature];
      bool go_true;
      if (std::isnan(v) && nd->missing_true) {
        go_true = true;
      } else {
        switch (nd->mode) {
          case TreeMode::leq: go_true = v <= nd->value; break;
          case TreeMode::lt: go_true = v < nd->value; break;
          case TreeMode::gte: go_true = v >= nd->value; break;
          case TreeMode::gt: go_true = v > nd->value; break;
          case TreeMode::eq: go_true = v == nd->value; break;
          default: go_true = v != nd->value; break;
        }
      }
      nd = &nodes_[go_true ? nd->on_true : nd->on_false];
    }
    return nd->weights;
  }

 private:
  struct Node {
    TreeMode mode = TreeMode::leaf;
    bool missing_true = false;
    std::int64_t feature = 0;
    double value = 0.0;
    std::size_t on_true = 0, on_false = 0;
    std::vector<Weight> weights;
  };

  // Depth-first from every node, three colours: reaching a node still on the path is a cycle,
  // which would make a walk loop forever.
  void check_acyclic(const OpInfo& info, const std::vector<std::int64_t>& tree_ids,
                     const std::vector<std::int64_t>& node_ids) const {
    std::vector<std::uint8_t> colour(nodes_.size(), 0);  // 0 new, 1 on path, 2 done
    std::vector<std::pair<std::size_t, int>> stack;      // node, children visited
    for (std::size_t start = 0; start < nodes_.size(); ++start) {
      if (colour[start]) continue;
      stack.push_back({start, 0});
      colour[start] = 1;
      while (!stack.empty()) {
        auto& top = stack.back();
        const Node& nd = nodes_[top.first];
        if (nd.mode == TreeMode::leaf || top.second == 2) {
          colour[top.first] = 2;
          stack.pop_back();
          continue;
        }
        const std::size_t next = top.second++ == 0 ? nd.on_true : nd.on_false;
        if (colour[next] == 1) {
          info.fail(ErrorKind::invalid_model, "tree " + std::to_string(tree_ids[next]) +
                                                  " has a cycle through node " +
                                                  std::to_string(node_ids[next]));
        }
        if (colour[next] == 0) {
          colour[next] = 1;
          stack.push_back({next, 0});
        }
      }
    }
  }

  std::vector<Node> nodes_;
  std::vector<std::size_t> roots_;
  std::int64_t max_feature_ = -1;
  std::int64_t max_target_ = -1;
};

// Sums (or averages, min, max) the leaf weights of every tree for row x into scores[targets].
inline void tree_scores(const TreeTable& trees, TreeAggregate agg, const double* x,
                        std::vector<double>& scores, std::vector<std::uint8_t>& has) {
  std::fill(scores.begin(), scores.end(), 0.0);
  std::fill(has.begin(), has.end(), 0);
  for (std::size_t t = 0; t < trees.tree_count(); ++t) {
    for (const TreeTable::Weight& w : trees.leaf(t, x)) {
      double& s = scores[static_cast<std::size_t>(w.target)];
      std::uint8_t& h = has[static_cast<std::size_t>(w.target)];
      if (agg == TreeAggregate::min) {
        s = h ? std::min(s, w.value) : w.value;
      } else if (agg == TreeAggregate::max) {
        s = h ? std::max(s, w.value) : w.value;
      } else {
        s += w.value;
      }
      h = 1;
    }
  }
  if (agg == TreeAggregate::average) {
    for (double& s : scores) s /= static_cast<double>(trees.tree_count());
  }
}

// Checks X against the features the trees read.
inline MlRows tree_input(const OpContext& ctx, const TreeTable& trees) {
  MlRows x = ml_rows(ctx, ctx.input(0));
  if (trees.max_feature() >= x.c) {
    ctx.fail(ErrorKind::shape_mismatch, "the trees read feature " +
                                            std::to_string(trees.max_feature()) + " but X has " +
                                            std::to_string(x.c) + " features");
  }
  return x;
}

class TreeEnsembleRegressorKernel final : public OpKernel {
 public:
  explicit TreeEnsembleRegressorKernel(const OpInfo& info)
      : trees_(info, "target"),
        aggregate_(enum_attribute<TreeAggregate>(info, "aggregate_function", "SUM",
                                                 {{"SUM", TreeAggregate::sum},
                                                  {"AVERAGE", TreeAggregate::average},
                                                  {"MIN", TreeAggregate::min},
                                                  {"MAX", TreeAggregate::max}},
                                                 ErrorKind::invalid_model)),
        post_(post_transform_of(info)),
        targets_(info.get_int("n_targets", trees_.max_target() + 1)),
        base_(ml_reals(info, "base_values")) {
    if (targets_ <= 0 || trees_.max_target() >= targets_) {
      info.fail(ErrorKind::invalid_model, "n_targets " + std::to_string(targets_) +
                                              " does not cover target id " +
                                              std::to_string(trees_.max_target()));
    }
    // Targets that neither a leaf nor a base value names would be constant zeros: a
    // corrupt n_targets, refused before it sizes the output.
    if (targets_ >
        std::max<std::int64_t>(trees_.max_target() + 1, static_cast<std::int64_t>(base_.size()))) {
      info.fail(ErrorKind::invalid_model,
                "n_targets " + std::to_string(targets_) + " exceeds the targets the leaves (" +
                    std::to_string(trees_.max_target() + 1) + ") and base_values (" +
                    std::to_string(base_.size()) + ") name");
    }
    if (!base_.empty() && base_.size() != static_cast<std::size_t>(targets_)) {
      info.fail(ErrorKind::invalid_model, "base_values has " + std::to_string(base_.size()) +
                                              " entries for " + std::to_string(targets_) +
                                              " targets");
    }
  }
  void run(OpContext& ctx) const override {
    const MlRows x = tree_input(ctx, trees_);
    Tensor& y = ctx.output(0, DType::f32, Shape{x.n, targets_});
    const auto nt = static_cast<std::size_t>(targets_);
    std::vector<double> s(nt);
    std::vector<std::uint8_t> has(nt);
    for (std::int64_t r = 0; r < x.n; ++r) {
      tree_scores(trees_, aggregate_, x.v.data() + r * x.c, s, has);
      for (std::size_t k = 0; k < nt; ++k) s[k] += base_.empty() ? 0.0 : base_[k];
      apply_post_transform(post_, s.data(), nt);
      for (std::size_t k = 0; k < nt; ++k) {
        y.data<float>()[static_cast<std::size_t>(r) * nt + k] = static_cast<float>(s[k]);
      }
    }
  }

 private:
  TreeTable trees_;
  TreeAggregate aggregate_;
  PostTransform post_;
  std::int64_t targets_;
  std::vector<double> base_;
};

class TreeEnsembleClassifierKernel final : public OpKernel {
 public:
  explicit TreeEnsembleClassifierKernel(const OpInfo& info)
      : trees_(info, "class"),
        labels_(ml_labels(info, "classlabels_int64s")),
        post_(post_transform_of(info)),
        base_(ml_reals(info, "base_values")) {
    const auto classes = static_cast<std::int64_t>(labels_.size());
    if (trees_.max_target() >= classes) {
      info.fail(ErrorKind::invalid_model, "class id " + std::to_string(trees_.max_target()) +
                                              " is out of range for " + std::to_string(classes) +
                                              " class labels");
    }
    // One base value for two classes is the binary form's (sklearn-onnx gradient boosting).
    if (!base_.empty() && base_.size() != labels_.size() && !(classes == 2 && base_.size() == 1)) {
      info.fail(ErrorKind::invalid_model, "base_values has " + std::to_string(base_.size()) +
                                              " entries for " + std::to_string(classes) +
                                              " classes");
    }
    const auto ids = info.get_ints("class_ids");
    const std::vector<double> w = ml_reals(info, "class_weights");
    all_positive_ = true;
    for (double v : w) all_positive_ = all_positive_ && v >= 0.0;
    binary_ = classes == 2 && std::set<std::int64_t>(ids.begin(), ids.end()).size() == 1;
    if (binary_) binary_class_ = static_cast<std::size_t>(ids[0]);
  }
  void run(OpContext& ctx) const override {
    const MlRows x = tree_input(ctx, trees_);
    const std::size_t nc = labels_.size();
    Tensor& z = ctx.output(1, DType::f32, Shape{x.n, static_cast<std::int64_t>(nc)});
    std::vector<std::size_t> label(static_cast<std::size_t>(x.n));
    std::vector<double> s(nc);
    std::vector<std::uint8_t> has(nc);
    for (std::int64_t r = 0; r < x.n; ++r) {
      tree_scores(trees_, TreeAggregate::sum, x.v.data() + r * x.c, s, has);
      label[static_cast<std::size_t>(r)] = nc == 2 ? two_classes(s) : many_classes(s);
      for (std::size_t k = 0; k < nc; ++k) {
        z.data<float>()[static_cast<std::size_t>(r) * nc + k] = static_cast<float>(s[k]);
      }
    }
    write_labels(ctx, 0, labels_, x.n,
                 [&](std::int64_t r) { return label[static_cast<std::size_t>(r)]; });
  }

 private:
  std::size_t many_classes(std::vector<double>& s) const {
    for (std::size_t k = 0; k < s.size() && k < base_.size(); ++k) s[k] += base_[k];
    std::size_t best = 0;
    for (std::size_t k = 1; k < s.size(); ++k) {
      if (s[k] > s[best]) best = k;
    }
    apply_post_transform(post_, s.data(), s.size());
    return best;
  }

  // Two classes, as ONNX Runtime scores them. With weights for one class only, the sum p is
  // the positive class's score: positive above 0.5 (all weights >= 0: probabilities) or above
  // 0 (margins). Weights on class 1 give the columns (0, p); on class 0, the other column is
  // derived: (1 - p, p) for probabilities, (-p, p) for margins, (logistic(-p), logistic(p))
  // for margins under LOGISTIC. The post-transform applies to both columns after that.
  std::size_t two_classes(std::vector<double>& s) const {
    if (!binary_) return many_classes(s);
    const std::size_t k = binary_class_;
    // Rounded to float before the threshold, as the float output is (and ONNX Runtime, which
    // sums in float: leaves 0.3 + 0.2 make 0.5, not above 0.5).
    const double p = static_cast<float>(s[k] + (base_.size() > k ? base_[k]
                                                : base_.empty()  ? 0.0
                                                                 : base_[0]));
    const bool positive = all_positive_ ? p > 0.5 : p > 0.0;
    if (k == 1) {
      s[0] = base_.size() == 2 ? base_[0] : 0.0;
      s[1] = p;
      apply_post_transform(post_, s.data(), 2);
    } else if (all_positive_) {
      s[0] = 1.0 - p;
      s[1] = p;
      apply_post_transform(post_, s.data(), 2);
    } else if (post_ == PostTransform::logistic) {
      s[0] = ml_logistic(-p);
      s[1] = ml_logistic(p);
    } else {
      s[0] = -p;
      s[1] = p;
      apply_post_transform(post_, s.data(), 2);
    }
    return positive ? 1 : 0;
  }

  TreeTable trees_;
  MlLabels labels_;
  PostTransform post_;
  std::vector<double> base_;
  bool binary_ = false, all_positive_ = true;
  std::size_t binary_class_ = 0;  // the one class scored in the binary form
};

inline void register_ml_tree_ensemble_ops(OpSet& ops) {
  ops.add("ai.onnx.ml", "TreeEnsembleRegressor", 1, factory<TreeEnsembleRegressorKernel>());
  ops.add("ai.onnx.ml", "TreeEnsembleClassifier", 1, factory<TreeEnsembleClassifierKernel>());
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_ML_TREE_ENSEMBLE_HPP
