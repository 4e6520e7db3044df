{
  description = "cloud-edge-1: NixOS + K3s edge node (runtime layer)";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
    sops-nix = {
      url = "github:Mic92/sops-nix";
      inputs.nixpkgs.follows = "nixpkgs";
    };
  };

  outputs = { self, nixpkgs, sops-nix, ... }: {
    nixosConfigurations.cloud-edge-1 = nixpkgs.lib.nixosSystem {
      system = "aarch64-linux";
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
        specialArgs = { inherit self; };
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
