{
  description = "cloud-edge-1: NixOS + K3s edge node (runtime layer)";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
    sops-nix = {
      url = "github:Mic92/sops-nix";
      inputs.nixpkgs.follows = "nixpkgs";
    };
    # Handoff pins these two inputs to what it verified (docs/converge-service.md, "What Nix sees"): the
    # host's facts (cloud facts, access phase) and the secrets commit the secrets stage checked. The URLs
    # here serve a build by hand only; Handoff's deploy flake overrides both.
    handoff-facts.url = "git+file:///var/lib/handoff/facts";
    secrets = {
      url = "git+ssh://forgejo@forgejo-pi.tailnet.ts.net/ops/infrastructure-secrets.git";
      flake = false;
    };
  };

  outputs = { self, nixpkgs, sops-nix, handoff-facts, secrets, ... }: {
    nixosConfigurations.cloud-edge-1 = nixpkgs.lib.nixosSystem {
      system = "aarch64-linux";
      specialArgs = { inherit secrets handoff-facts; };
      modules = [
        sops-nix.nixosModules.sops
        ./hosts/cloud-edge-1/configuration.nix
        # Ties the running system to the commit it was built from (nixos-version --json).
        { system.configurationRevision = self.rev or self.dirtyRev or "dirty"; }
      ];
    };

    colmena = {
      meta = {
        nixpkgs = import nixpkgs { system = "x86_64-linux"; };
        specialArgs = { inherit self secrets handoff-facts; };
      };
      cloud-edge-1 = { ... }: {
        nixpkgs.system = "aarch64-linux";
        deployment = {
          # The address is per access phase: Handoff writes an ssh_config for bootstrap or steady access.
          targetHost = "cloud-edge-1";
          targetUser = "root";
        };
        imports = [
          sops-nix.nixosModules.sops
          ./hosts/cloud-edge-1/configuration.nix
          { system.configurationRevision = self.rev or self.dirtyRev or "dirty"; }
        ];
      };
    };
  };
}
