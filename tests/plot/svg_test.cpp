// SVG pictures: structure (balanced elements, escaped text), the series, labels and counts they
// must show. tests/plot/check_svg.py parses the files written by "[.svg_files]" with a real XML
// parser (CTest test plot.svg_well_formed).
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <inlay/inlay.hpp>

#include "catch.hpp"

using Catch::Matchers::Contains;
using inlay::metrics::ConfusionMatrix;
using inlay::plot::Series;

namespace {

// A small XML structure check: every element closed in order, no stray '<' or '&' in text.
// Returns "" when well-formed, else what is wrong. (The full parse is in check_svg.py.)
std::string xml_problem(const std::string& s) {
  std::vector<std::string> open;
  std::size_t i = 0;
  int roots = 0;
  while (i < s.size()) {
    if (s[i] == '&') {
      const std::size_t semi = s.find(';', i);
      const std::string entity = s.substr(i, semi == std::string::npos ? 8 : semi - i + 1);
      if (entity != "&amp;" && entity != "&lt;" && entity != "&gt;" && entity != "&quot;" &&
          entity != "&apos;") {
        return "bad entity " + entity + " at " + std::to_string(i);
      }
    }
    if (s[i] != '<') {
      ++i;
      continue;
    }
    const std::size_t end = s.find('>', i);
    if (end == std::string::npos) return "unclosed tag at " + std::to_string(i);
    const std::string tag = s.substr(i + 1, end - i - 1);
    if (tag.find('<') != std::string::npos) return "'<' inside a tag at " + std::to_string(i);
    std::size_t quotes = 0;
    for (char c : tag) quotes += c == '"';
    if (quotes % 2) return "unbalanced quotes in <" + tag + ">";
    if (tag[0] == '?') {
      // the XML declaration
    } else if (tag[0] == '/') {
      if (open.empty() || open.back() != tag.substr(1))
        return "mismatched </" + tag.substr(1) + ">";
      open.pop_back();
    } else {
      const std::string name = tag.substr(0, tag.find_first_of(" \n/"));
      if (open.empty()) ++roots;
      if (tag.back() != '/') open.push_back(name);
    }
    i = end + 1;
  }
  if (!open.empty()) return "<" + open.back() + "> not closed";
  if (roots != 1) return std::to_string(roots) + " root elements";
  return "";
}

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

std::vector<Series> curves() {
  return {{"train loss", {2.3, 1.1, 0.6, 0.4, 0.3, 0.25}},
          {"validation loss", {2.2, 1.2, 0.7, NAN, 0.45, 0.5}},
          {"accuracy <&> \"quoted\"", {0.2, 0.6, 0.8, 0.9, 0.95, 0.97}}};
}

ConfusionMatrix three_class_matrix() {
  return inlay::metrics::confusion_matrix({0, 0, 0, 1, 1, 2, 2, 2, 2}, {0, 0, 1, 1, 1, 2, 2, 0, 2},
                                          3);
}

}  // namespace

TEST_CASE("line chart: series, legend, axes, ticks; escaped text", "[plot/svg]") {
  const std::string svg =
      inlay::plot::line_chart_svg_text("Training <digits>", "epoch", "loss", curves());
  INFO(svg);
  CHECK(xml_problem(svg).empty());
  CHECK_THAT(svg, Contains("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  CHECK_THAT(svg, Contains("Training &lt;digits&gt;"));
  CHECK_THAT(svg, Contains(">epoch</text>"));
  CHECK_THAT(svg, Contains(">loss</text>"));
  CHECK_THAT(svg, Contains(">train loss</text>"));
  CHECK_THAT(svg, Contains(">validation loss</text>"));
  CHECK_THAT(svg, Contains("accuracy &lt;&amp;&gt; &quot;quoted&quot;"));
  CHECK(count(svg, "<g class=\"series\"") == 3);
  // The NaN splits the validation line into two polylines: 3 + 2 + 1 lines.
  CHECK(count(svg, "<polyline points=") == 4);
  // x ticks 1..6, y ticks 0, 0.5 ... 2.5 (nice steps of 0.5 over [0.2, 2.3]).
  for (const char* tick : {">1</text>", ">6</text>", ">0</text>", ">0.5</text>", ">2.5</text>"}) {
    CHECK_THAT(svg, Contains(tick));
  }
  CHECK(count(svg, "<g class=\"legend\">") == 1);
}

TEST_CASE("line chart: one point, flat lines, errors", "[plot/svg]") {
  const std::string one = inlay::plot::line_chart_svg_text("t", "x", "y", {{"a", {1.0}}});
  CHECK(xml_problem(one).empty());
  CHECK_THAT(one, Contains("<circle"));
  const std::string flat = inlay::plot::line_chart_svg_text("t", "x", "y", {{"a", {3, 3, 3}}});
  CHECK(xml_problem(flat).empty());
  CHECK(flat.find("nan") == std::string::npos);
  CHECK(flat.find("inf") == std::string::npos);
  CHECK_THROWS_AS(inlay::plot::line_chart_svg_text("t", "x", "y", {}), inlay::Error);
  CHECK_THROWS_AS(inlay::plot::line_chart_svg_text("t", "x", "y", {{"a", {NAN}}}), inlay::Error);
  CHECK_THROWS_AS(
      inlay::plot::save_line_chart_svg("/nonexistent/dir/x.svg", "t", "x", "y", curves()),
      inlay::Error);
}

TEST_CASE("confusion matrix heat map: a cell and a count per pair, class names", "[plot/svg]") {
  const std::string svg =
      inlay::plot::confusion_matrix_svg_text(three_class_matrix(), {"cat", "dog", "b&w"});
  INFO(svg);
  CHECK(xml_problem(svg).empty());
  CHECK(count(svg, "<rect x=") == 9);
  CHECK_THAT(svg, Contains("true cat, predicted dog: 1</title>"));
  CHECK_THAT(svg, Contains("true b&amp;w, predicted b&amp;w: 3</title>"));
  CHECK(count(svg, ">b&amp;w</text>") == 2);  // row and column label
  CHECK_THAT(svg, Contains(">predicted class</text>"));
  CHECK_THAT(svg, Contains(">true class</text>"));
  // The diagonal cell of class 2 (3 of 4, share 0.75) is darker than the off-diagonal one.
  CHECK_THAT(svg, Contains("fill=\"rgb(70,100,144)\""));  // 255 - 0.75 * (255 - {8, 48, 107})
  const std::string numbered = inlay::plot::confusion_matrix_svg_text(three_class_matrix());
  CHECK_THAT(numbered, Contains("true 2, predicted 0: 1</title>"));
  CHECK_THROWS_AS(inlay::plot::confusion_matrix_svg_text(three_class_matrix(), {"a"}),
                  inlay::Error);
  CHECK_THROWS_AS(inlay::plot::confusion_matrix_svg_text(ConfusionMatrix{}), inlay::Error);
}

TEST_CASE("save_*_svg write the same text to files", "[plot/svg]") {
  const std::string path = "inlay_svg_test.svg";
  inlay::plot::save_confusion_matrix_svg(path, three_class_matrix());
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  CHECK(text.str() == inlay::plot::confusion_matrix_svg_text(three_class_matrix()));
  in.close();
  std::remove(path.c_str());
}

// Writes the pictures that check_svg.py parses (run by CTest in its own folder).
TEST_CASE("write SVG files for the XML parser check", "[.svg_files]") {
  inlay::plot::save_line_chart_svg("line_chart.svg", "Training <digits>", "epoch", "loss",
                                   curves());
  inlay::plot::save_confusion_matrix_svg("confusion_matrix.svg", three_class_matrix(),
                                         {"cat", "dog", "b&w"});
  CHECK(std::ifstream("line_chart.svg").good());
  CHECK(std::ifstream("confusion_matrix.svg").good());
}
