# Where the stack's state lives. The lab keeps it in a local file (Handoff copies it in and out of its state
# folder); edge-cluster-infra-pg swaps this file for OpenTofu's pg backend.
terraform {
  backend "local" {
    path = "terraform.tfstate"
  }
}
