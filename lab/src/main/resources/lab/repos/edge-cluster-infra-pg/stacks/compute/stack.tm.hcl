stack {
  name        = "compute"
  description = "cloud-edge-1: instance and data volume"
  id          = "7a9d1c3e-5f2b-4a6c-8e0d-1b3f5a7c9e21"
  after       = ["/stacks/network"]
}
