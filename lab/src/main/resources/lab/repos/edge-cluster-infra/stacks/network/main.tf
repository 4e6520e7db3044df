terraform {
  required_version = ">= 1.6.0"
  required_providers {
    oci = {
      source  = "oracle/oci"
      version = "~> 6.0"
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

provider "oci" {
  region = var.region
}

resource "oci_core_vcn" "edge" {
  compartment_id = var.compartment_id
  display_name   = "edge-vcn"
  cidr_blocks    = ["10.20.0.0/16"]
  dns_label      = "edge"
}

resource "oci_core_internet_gateway" "edge" {
  compartment_id = var.compartment_id
  vcn_id         = oci_core_vcn.edge.id
  display_name   = "edge-igw"
  enabled        = true
}

resource "oci_core_route_table" "public" {
  compartment_id = var.compartment_id
  vcn_id         = oci_core_vcn.edge.id
  display_name   = "edge-public"

  route_rules {
    destination       = "0.0.0.0/0"
    destination_type  = "CIDR_BLOCK"
    network_entity_id = oci_core_internet_gateway.edge.id
  }
}

resource "oci_core_security_list" "edge" {
  compartment_id = var.compartment_id
  vcn_id         = oci_core_vcn.edge.id
  display_name   = "edge-ingress"

  egress_security_rules {
    destination = "0.0.0.0/0"
    protocol    = "all"
  }

  # SSH, only until the host is on the tailnet (bootstrap access).
  ingress_security_rules {
    source   = "0.0.0.0/0"
    protocol = "6"
    tcp_options {
      min = 22
      max = 22
    }
  }

  # Tailscale direct connections.
  ingress_security_rules {
    source   = "0.0.0.0/0"
    protocol = "17"
    udp_options {
      min = 41641
      max = 41641
    }
  }

  # RustDesk hbbs/hbbr (TCP 21115-21119, UDP 21116).
  ingress_security_rules {
    source   = "0.0.0.0/0"
    protocol = "6"
    tcp_options {
      min = 21115
      max = 21119
    }
  }

  ingress_security_rules {
    source   = "0.0.0.0/0"
    protocol = "17"
    udp_options {
      min = 21116
      max = 21116
    }
  }
}

resource "oci_core_subnet" "public" {
  compartment_id    = var.compartment_id
  vcn_id            = oci_core_vcn.edge.id
  display_name      = "edge-public"
  cidr_block        = "10.20.1.0/24"
  dns_label         = "public"
  route_table_id    = oci_core_route_table.public.id
  security_list_ids = [oci_core_security_list.edge.id]
}

output "vcn_id" {
  value = oci_core_vcn.edge.id
}

output "subnet_id" {
  value = oci_core_subnet.public.id
}
