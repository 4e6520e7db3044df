stack {
  name        = "compute"
  description = "cloud-edge-1: instance and data volume"
  id          = "b3d8a5c4-71e2-4f0a-8d6b-5e9c1a2f7d30"
  after       = ["/stacks/network"]
}
