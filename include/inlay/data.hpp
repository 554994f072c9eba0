// inlay::data: numeric CSV tables, scaling, seeded splits, row selection, one-hot encoding.
#ifndef INLAY_DATA_HPP
#define INLAY_DATA_HPP

#include "inlay/data/rng.hpp"
#include "inlay/data/table.hpp"
#include "inlay/data/scalers.hpp"
#include "inlay/data/split.hpp"
#include "inlay/data/rows.hpp"

#endif  // INLAY_DATA_HPP
