# Values of the lab. subnet_id comes from stacks/network: Handoff passes each earlier stack's outputs to the
# later stacks as TF_VAR_<name>.
ssh_authorized_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHandoffLabOperatorKeyNotForRealUse0000000 operator@lab"
