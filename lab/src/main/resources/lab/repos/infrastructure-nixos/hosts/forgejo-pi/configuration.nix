# secrets and handoff-facts are flake inputs Handoff pins to what it verified (see flake.nix).
{ config, lib, pkgs, secrets, handoff-facts, ... }:

{
  networking.hostName = "forgejo-pi";
  time.timeZone = "UTC";

  fileSystems."/" = { device = "/dev/disk/by-label/NIXOS_SD"; fsType = "ext4"; };

  services.openssh = {
    enable = true;
    settings.PasswordAuthentication = false;
  };

  sops = {
    defaultSopsFile = "${secrets}/hosts/forgejo-pi.yaml";
    age.keyFile = "/var/lib/sops-nix/key.txt";
    secrets."restic/password" = { };
    secrets."tailscale/auth_key" = { };
  };

  services.tailscale = {
    enable = true;
    authKeyFile = config.sops.secrets."tailscale/auth_key".path;
  };

  services.postgresql = {
    enable = true;
    package = pkgs.postgresql_15;
  };

  services.forgejo = {
    enable = true;
    database = {
      type = "postgres";
      createDatabase = true;
    };
    lfs.enable = true;
    # a consistent dump of the database (and data) by Forgejo itself, before the nightly restic run
    dump = {
      enable = true;
      backupDir = "/var/lib/forgejo/dump";
      interval = "02:00";
    };
    settings = {
      server = {
        DOMAIN = "forgejo-pi.tailnet.ts.net";
        ROOT_URL = "https://forgejo-pi.tailnet.ts.net/";
        HTTP_PORT = 3000;
        SSH_PORT = 22;
      };
      service.DISABLE_REGISTRATION = true;
      # Handoff's control-service receives the push webhooks of the four repositories.
      webhook.ALLOWED_HOST_LIST = "loopback,private,*.tailnet.ts.net";
      session.COOKIE_SECURE = true;
    };
  };

  services.caddy = {
    enable = true;
    virtualHosts."forgejo-pi.tailnet.ts.net".extraConfig = ''
      reverse_proxy localhost:3000
    '';
  };

  # Control-plane recovery contract (Handoff's backup-service checks it): the repositories, the database dump Forgejo
  # writes itself (services.forgejo.dump, above), the custom files (app.ini and its secrets) and the LFS objects.
  services.restic.backups.control-plane = {
    initialize = true;
    repository = "rest:https://backup.example.invalid/forgejo-pi";
    passwordFile = config.sops.secrets."restic/password".path;
    paths = [
      "/var/lib/forgejo/repositories"
      "/var/lib/forgejo/dump"
      "/var/lib/forgejo/custom"
      "/var/lib/forgejo/data/lfs"
    ];
    timerConfig.OnCalendar = "03:00";
    pruneOpts = [ "--keep-daily 7" "--keep-weekly 4" "--keep-monthly 6" ];
  };

  networking.firewall = {
    enable = true;
    allowedTCPPorts = [ 22 80 443 ];
    trustedInterfaces = [ "tailscale0" ];
  };

  system.stateVersion = "24.11";

  # The facts Handoff verified for this build (cloud facts, access phase), for the operator to read on the host.
  environment.etc."handoff/facts.json".source = "${handoff-facts}/hosts/forgejo-pi/handoff.json";
}
