// The network comes first: app runs after it.
stack {
  name        = "network"
  description = "VCN and subnets"
  id          = "6f1f3c2e-0b7a-4d1e-9c55-2a4f0e6d9b11"
}
