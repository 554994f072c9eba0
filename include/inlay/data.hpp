// inlay::data: CSV tables, imputation, encoding, scaling and pipelines of them, seeded splits and
// cross-validation folds, row selection.
#ifndef INLAY_DATA_HPP
#define INLAY_DATA_HPP

#include "inlay/data/rng.hpp"
#include "inlay/data/table.hpp"
#include "inlay/data/scalers.hpp"
#include "inlay/data/split.hpp"
#include "inlay/data/rows.hpp"
#include "inlay/data/impute.hpp"
#include "inlay/data/encode.hpp"
#include "inlay/data/pipeline.hpp"
#include "inlay/data/folds.hpp"

#endif  // INLAY_DATA_HPP
