# This file is maintained automatically by "tofu init".
# Manual edits may be lost in future updates.

provider "registry.opentofu.org/oracle/oci" {
  version     = "6.21.0"
  constraints = "~> 6.0"
  hashes = [
    "h1:21i3xyiCqEXzFTdNqyDOV0suYrJkBbyQ0vt/dS4U/fA=",
    "zh:016b953457eb4d18b069f2226cc6a8b1df1574f905559a17d1e614d68b06fb55",
    "zh:1220a13fc619b5db4def2e24245a14cd9018eb717ef6c5a7c86406efe9f81b9b",
    "zh:1e7d9f235cf801f04b762455e19ff12a47bb81e26823356c6d0b090497e7dba3",
    "zh:24f59afc3e7fe2766b320bd93bdce77407c2aa879d55cc0e5c88bddd894fbe6b",
    "zh:2dc4964d344067191e294ce57a691b4586caca67cbecb1b786791d7f687a18cc",
    "zh:31399cbba33c22f7147e7b097fc9f253c373a13fc0a4ad65f9a412bbe9d40291",
    "zh:69839807f47a091a94b89ee8f06d43f8d43b32882dc9f0ea2034bdf6c8d02bb4",
    "zh:7f283c8d98f3922fd8d93e97be153e66ece5440e78cbb57a59e9b24defe1dd55",
    "zh:9205e1cf71830bc9602f9107182bfdbb034a94fee8d3f055e3ef9d7fae7370ad",
    "zh:cee775671bd3abae61bf489860fd18ad03af1a29ae7c7988c574505ebafd14cb",
    "zh:d2b55ecd6afd8d0570328a73a79317cb56ddac93a2162fa4854e298e1705c45f",
    "zh:f1d018ef5aaa9480d8822b3533a7c01d7b20bb932890f85fd20b9ffea1313d95",
  ]
}
