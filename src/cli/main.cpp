#include <cstdio>

int main() {
  std::puts("llamafactory-cli: under construction");
  return 1;
}
