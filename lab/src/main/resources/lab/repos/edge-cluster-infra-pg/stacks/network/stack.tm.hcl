stack {
  name        = "network"
  description = "VCN and public subnet of the edge cluster"
  id          = "0c6e2f1a-3b4d-4e8f-9a17-5d2c8b6e4f90"
}
