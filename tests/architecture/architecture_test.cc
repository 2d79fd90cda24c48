// The folders of src/ depend on each other in one direction only (DESIGN.md §2): no folder
// includes a header of a folder that depends on it, directly or through others. Library code is
// read from the source tree (tests, benchmarks and test-support code are left out: a test may
// use the parts above the code it tests). A failure names the cycle and one include for each of
// its edges, so the fix is obvious.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

bool IsTestCode(const fs::path& p) {
  const std::string name = p.filename().string();
  if (name.ends_with("_test.cc") || name.ends_with("_benchmark.cc") ||
      name.find("test_util") != std::string::npos || name.starts_with("test_harness")) {
    return true;
  }
  for (const auto& part : p) {
    if (part == "testing") return true;
  }
  return false;
}

struct Graph {
  std::set<std::string> folders;
  // from -> to -> one example "file: #include" that makes the edge
  std::map<std::string, std::map<std::string, std::string>> edges;
};

Graph ReadGraph(const fs::path& src) {
  Graph g;
  for (const auto& entry : fs::directory_iterator(src)) {
    if (entry.is_directory()) g.folders.insert(entry.path().filename().string());
  }
  const std::regex include_re(R"re(^\s*#\s*include\s+"([a-z_0-9]+)/[^"]+")re");
  for (const std::string& folder : g.folders) {
    for (const auto& entry : fs::recursive_directory_iterator(src / folder)) {
      if (!entry.is_regular_file()) continue;
      const fs::path& p = entry.path();
      if (p.extension() != ".h" && p.extension() != ".cc") continue;
      if (IsTestCode(fs::relative(p, src))) continue;
      std::ifstream in(p);
      std::string line;
      while (std::getline(in, line)) {
        std::smatch m;
        if (!std::regex_search(line, m, include_re)) continue;
        const std::string to = m[1];
        if (to == folder || !g.folders.count(to)) continue;
        g.edges[folder].emplace(to, fs::relative(p, src).string() + ": " + line);
      }
    }
  }
  return g;
}

// Every cycle's folders (strongly connected components of more than one folder), by Tarjan.
std::vector<std::vector<std::string>> Cycles(const Graph& g) {
  std::map<std::string, int> index, low;
  std::set<std::string> on_stack;
  std::vector<std::string> stack;
  std::vector<std::vector<std::string>> out;
  int next = 0;
  std::function<void(const std::string&)> visit = [&](const std::string& v) {
    index[v] = low[v] = next++;
    stack.push_back(v);
    on_stack.insert(v);
    auto it = g.edges.find(v);
    if (it != g.edges.end()) {
      for (const auto& [w, why] : it->second) {
        if (!index.count(w)) {
          visit(w);
          low[v] = std::min(low[v], low[w]);
        } else if (on_stack.count(w)) {
          low[v] = std::min(low[v], index[w]);
        }
      }
    }
    if (low[v] == index[v]) {
      std::vector<std::string> scc;
      std::string w;
      do {
        w = stack.back();
        stack.pop_back();
        on_stack.erase(w);
        scc.push_back(w);
      } while (w != v);
      if (scc.size() > 1) out.push_back(scc);
    }
  };
  for (const auto& f : g.folders) {
    if (!index.count(f)) visit(f);
  }
  return out;
}

TEST(ArchitectureTest, FoldersOfSrcDependInOneDirection) {
  const Graph g = ReadGraph(fs::path(SHEWHART_REPO_DIR) / "src");
  ASSERT_GT(g.folders.size(), 10u);
  for (const auto& cycle : Cycles(g)) {
    const std::set<std::string> members(cycle.begin(), cycle.end());
    std::string why;
    for (const auto& from : cycle) {
      for (const auto& [to, example] : g.edges.at(from)) {
        if (members.count(to)) why += "\n  " + from + " -> " + to + "  (" + example + ")";
      }
    }
    ADD_FAILURE() << "these folders of src/ include each other's headers in a cycle:" << why;
  }
}

TEST(ArchitectureTest, BaseAndStatsDependOnNothingAbove) {
  const Graph g = ReadGraph(fs::path(SHEWHART_REPO_DIR) / "src");
  auto deps = [&](const std::string& f) {
    std::set<std::string> out;
    if (auto it = g.edges.find(f); it != g.edges.end()) {
      for (const auto& [to, why] : it->second) out.insert(to);
    }
    return out;
  };
  EXPECT_EQ(deps("base"), std::set<std::string>{});
  EXPECT_EQ(deps("stats"), std::set<std::string>{"base"});
}

// The checker itself: a cycle planted in a scratch tree is found.
TEST(ArchitectureTest, TheCheckFindsAPlantedCycle) {
  const fs::path root = fs::temp_directory_path() / ("shewhart_arch_" + std::to_string(getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "a");
  fs::create_directories(root / "b");
  fs::create_directories(root / "c");
  std::ofstream(root / "a" / "a.h") << "#include \"b/b.h\"\n";
  std::ofstream(root / "b" / "b.cc") << "#include \"c/c.h\"\n";
  std::ofstream(root / "c" / "c.h") << "#include \"a/a.h\"\n";
  std::ofstream(root / "c" / "c_test.cc") << "#include \"a/a.h\"\n";
  const auto cycles = Cycles(ReadGraph(root));
  fs::remove_all(root);
  ASSERT_EQ(cycles.size(), 1u);
  EXPECT_EQ(cycles[0].size(), 3u);
}

}  // namespace
