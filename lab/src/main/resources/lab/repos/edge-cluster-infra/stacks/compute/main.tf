terraform {
  required_version = ">= 1.6.0"
  required_providers {
    oci = {
      source  = "oracle/oci"
      version = "~> 6.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }
}

variable "region" {
  type    = string
  default = "eu-frankfurt-1"
}

variable "compartment_id" {
  type    = string
  default = "ocid1.compartment.oc1..lab"
}

variable "subnet_id" {
  type        = string
  description = "Output subnet_id of stacks/network."
}

variable "availability_domain" {
  type    = string
  default = "Uocm:EU-FRANKFURT-1-AD-1"
}

variable "image_id" {
  type        = string
  description = "Ubuntu 22.04 aarch64 image; nixos-infect turns it into NixOS on first boot."
  default     = "ocid1.image.oc1.eu-frankfurt-1.lab"
}

variable "ssh_authorized_key" {
  type        = string
  description = "The operator's SSH public key, for bootstrap access until the host is on the tailnet."
}

provider "oci" {
  region = var.region
}

resource "oci_core_instance" "cloud_edge_1" {
  compartment_id      = var.compartment_id
  availability_domain = var.availability_domain
  display_name        = "cloud-edge-1"
  shape               = "VM.Standard.A1.Flex"

  shape_config {
    ocpus         = 2
    memory_in_gbs = 12
  }

  source_details {
    source_type             = "image"
    source_id               = var.image_id
    boot_volume_size_in_gbs = 50
  }

  create_vnic_details {
    subnet_id        = var.subnet_id
    assign_public_ip = true
    hostname_label   = "cloud-edge-1"
  }

  metadata = {
    ssh_authorized_keys = var.ssh_authorized_key
  }
}

# K3s datastore, RustDesk keys and restic cache live here, not on the boot volume.
resource "oci_core_volume" "data" {
  compartment_id      = var.compartment_id
  availability_domain = var.availability_domain
  display_name        = "cloud-edge-1-data"
  size_in_gbs         = 100
}

resource "oci_core_volume_attachment" "data" {
  attachment_type = "paravirtualized"
  instance_id     = oci_core_instance.cloud_edge_1.id
  volume_id       = oci_core_volume.data.id
  device          = "/dev/oracleoci/oraclevdb"
}

output "host_name" {
  value = oci_core_instance.cloud_edge_1.display_name
}

output "instance_id" {
  value = oci_core_instance.cloud_edge_1.id
}

output "private_ip" {
  value = oci_core_instance.cloud_edge_1.private_ip
}

output "public_ip" {
  value = oci_core_instance.cloud_edge_1.public_ip
}

output "volume_id" {
  value = oci_core_volume.data.id
}

output "volume_device" {
  value = oci_core_volume_attachment.data.device
}

output "subnet_id" {
  value = var.subnet_id
}

output "region" {
  value = var.region
}

# The K3s cluster token: generated here so a rebuilt host rejoins with the same one. Sensitive: Handoff never
# logs or publishes it (it only redacts it); the runtime layer reads it from the secrets repository.
resource "random_password" "k3s_token" {
  length  = 48
  special = false
}

output "k3s_token" {
  value     = random_password.k3s_token.result
  sensitive = true
}
