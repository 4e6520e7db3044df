# secrets and handoff-facts are flake inputs Handoff pins to what it verified (see flake.nix).
{ config, lib, pkgs, secrets, handoff-facts, ... }:

{
  networking.hostName = "cloud-edge-1";
  time.timeZone = "UTC";

  boot.loader.systemd-boot.enable = true;
  boot.loader.efi.canTouchEfiVariables = true;
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
  fileSystems."/boot" = { device = "/dev/disk/by-label/UEFI"; fsType = "vfat"; };
  # Block volume from edge-cluster-infra (stacks/compute): K3s datastore and RustDesk keys.
  fileSystems."/var/lib/rancher" = {
    device = "/dev/oracleoci/oraclevdb";
    fsType = "ext4";
    options = [ "nofail" "_netdev" ];
  };
  # RustDesk's data dir (hostPath of hbbs/hbbr) lives on the block volume too: clients pin its key pair.
  fileSystems."/var/lib/rustdesk" = {
    device = "/var/lib/rancher/rustdesk";
    options = [ "bind" ];
    depends = [ "/var/lib/rancher" ];
  };

  services.openssh = {
    enable = true;
    settings.PasswordAuthentication = false;
  };

  # Secrets from infrastructure-secrets (hosts/cloud-edge-1.yaml), decrypted on the host only.
  sops = {
    defaultSopsFile = "${secrets}/hosts/cloud-edge-1.yaml";
    age.keyFile = "/var/lib/sops-nix/key.txt";
    secrets."tailscale/auth_key" = { };
    secrets."restic/password" = { };
  };

  services.tailscale = {
    enable = true;
    authKeyFile = config.sops.secrets."tailscale/auth_key".path;
    extraUpFlags = [ "--ssh=false" "--hostname=cloud-edge-1" ];
  };

  services.k3s = {
    enable = true;
    role = "server";
    extraFlags = toString [
      "--disable=traefik"
      "--write-kubeconfig-mode=0600"
      "--node-name=cloud-edge-1"
      "--tls-san=cloud-edge-1.tailnet.ts.net"
    ];
    # Linked into /var/lib/rancher/k3s/server/manifests: world-readable store paths, so no secrets here.
    manifests.rustdesk.source = ../../manifests/rustdesk.yaml;
  };

  networking.firewall = {
    enable = true;
    allowedTCPPorts = [ 22 6443 21115 21116 21117 21118 21119 ];
    allowedUDPPorts = [ 21116 config.services.tailscale.port ];
    trustedInterfaces = [ "tailscale0" "cni0" ];
  };

  # Runtime recovery contract: K3s datastore + token and RustDesk keys.
  services.restic.backups.runtime = {
    initialize = true;
    repository = "rest:https://backup.example.invalid/cloud-edge-1";
    passwordFile = config.sops.secrets."restic/password".path;
    paths = [
      "/var/lib/rancher/k3s/server/db"
      "/var/lib/rancher/k3s/server/token"
      "/var/lib/rustdesk"
    ];
    timerConfig.OnCalendar = "hourly";
    pruneOpts = [ "--keep-hourly 24" "--keep-daily 7" "--keep-weekly 4" ];
  };

  users.users.root.openssh.authorizedKeys.keys = [ ];

  system.stateVersion = "24.11";

  # The facts Handoff verified for this build (cloud facts, access phase), for the operator to read on the host.
  environment.etc."handoff/facts.json".source = "${handoff-facts}/hosts/cloud-edge-1/handoff.json";
}
