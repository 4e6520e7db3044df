package dev.handoff.sops;

import dev.handoff.sops.SopsMetadata.AgeStanza;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Opens a file's data key with the validation identity, trying every age stanza, and checks each stanza's label
 * against who can open it. The label ({@code recipient}) is not bound to the wrapped key: a stanza labelled with a
 * host's recipient may hold a copy wrapped for someone else, and then the recipient check passes while the host
 * cannot decrypt the file at activation. The validation identity can tell for the stanzas it opens and for the ones
 * labelled with its own recipient.
 *
 * @param dataKey the 32-byte data key, preferring a correctly labelled stanza's
 * @param findings every mislabelled stanza
 */
record DataKeyUnwrap(Optional<byte[]> dataKey, List<SopsFinding> findings) {

    /** Opens every age stanza of {@code metadata} with {@code identity}. */
    static DataKeyUnwrap open(String file, SopsMetadata metadata, AgeIdentity identity) {
        List<SopsFinding> findings = new ArrayList<>();
        byte[] chosen = null;
        boolean chosenLabelMatches = false;
        for (AgeStanza stanza : metadata.ageStanzas()) {
            boolean labelledForIdentity = identity.recipients().contains(stanza.recipient());
            Optional<byte[]> key = identity.open(stanza.armoredDataKey());
            if (key.isPresent() && key.get().length != 32) {
                Arrays.fill(key.get(), (byte) 0);
                key = Optional.empty();
            }
            if (key.isPresent() && !labelledForIdentity) {
                findings.add(new SopsFinding(
                        "recipient-mislabelled",
                        file,
                        file + ": the sops.age entry labelled " + stanza.recipient()
                                + " holds a data key wrapped for the validation identity " + identity.recipients()
                                + ", not for " + stanza.recipient() + ", so that recipient cannot decrypt the file"
                                + " (an entry copied under another recipient's name?). Re-encrypt the data key for"
                                + " every recipient with sops updatekeys " + file));
            } else if (key.isEmpty() && labelledForIdentity) {
                findings.add(new SopsFinding(
                        "recipient-mislabelled",
                        file,
                        file + ": the sops.age entry labelled with the validation identity's recipient "
                                + stanza.recipient() + " does not open with that identity: it holds a data key"
                                + " wrapped for someone else. Re-encrypt the data key for every recipient with sops"
                                + " updatekeys " + file));
            }
            if (key.isEmpty()) {
                continue;
            }
            if (chosen == null || (labelledForIdentity && !chosenLabelMatches)) {
                if (chosen != null) {
                    Arrays.fill(chosen, (byte) 0);
                }
                chosen = key.get();
                chosenLabelMatches = labelledForIdentity;
            } else {
                Arrays.fill(key.get(), (byte) 0);
            }
        }
        return new DataKeyUnwrap(Optional.ofNullable(chosen), List.copyOf(findings));
    }
}
