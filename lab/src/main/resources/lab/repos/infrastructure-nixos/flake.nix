{
  description = "forgejo-pi: the Forgejo control host (NixOS on a Raspberry Pi 4)";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
    nixos-hardware.url = "github:NixOS/nixos-hardware";
    sops-nix = {
      url = "github:Mic92/sops-nix";
      inputs.nixpkgs.follows = "nixpkgs";
    };
  };

  outputs = { self, nixpkgs, nixos-hardware, sops-nix, ... }: {
    nixosConfigurations.forgejo-pi = nixpkgs.lib.nixosSystem {
      system = "aarch64-linux";
      modules = [
        nixos-hardware.nixosModules.raspberry-pi-4
        sops-nix.nixosModules.sops
        ./hosts/forgejo-pi/configuration.nix
        { system.configurationRevision = self.rev or self.dirtyRev or "dirty"; }
      ];
    };
  };
}
