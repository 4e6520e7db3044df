{
  description = "forgejo-pi: the Forgejo control host (NixOS on a Raspberry Pi 4)";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
    nixos-hardware.url = "github:NixOS/nixos-hardware";
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

  outputs = { self, nixpkgs, nixos-hardware, sops-nix, handoff-facts, secrets, ... }: {
    nixosConfigurations.forgejo-pi = nixpkgs.lib.nixosSystem {
      system = "aarch64-linux";
      specialArgs = { inherit secrets handoff-facts; };
      modules = [
        nixos-hardware.nixosModules.raspberry-pi-4
        sops-nix.nixosModules.sops
        ./hosts/forgejo-pi/configuration.nix
        { system.configurationRevision = self.rev or self.dirtyRev or "dirty"; }
      ];
    };
  };
}
