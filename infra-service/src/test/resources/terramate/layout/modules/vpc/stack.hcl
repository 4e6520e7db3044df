stack {
  before = ["/network"]
}
