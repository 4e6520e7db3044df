package dev.handoff.infra.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.handoff.infra.stage.StageFailure;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Reading a Terramate file's {@code stack {}} block: HCL native syntax (comments, multi-line lists, trailing commas,
 * strings, heredocs, other blocks) and the checks of Terramate's {@code hcl/block_stack_parser.go} and {@code
 * hcl/hcl.go} {@code assignSet} (terramate-io/terramate at 9391082).
 */
class StackBlockReaderTest {
    @Test
    void readsTheOrderingAttributesInAnyOrderAcrossLinesAndComments() throws Exception {
        // Given
        String hcl = """
                # the network of the edge cluster
                terramate {
                  config {}
                }

                stack {
                  tags = ["net", /* inline */ "prod",] // trailing comma
                  before = [
                    # nothing yet,
                    "/stacks/compute", // the instance needs the subnet
                    "tag:app:prod",
                  ]
                  name        = "network"
                  description = "VCN, \\"public\\" subnet"
                  after       = null
                  id          = "6f1f3c2e-0b7a-4d1e-9c55-2a4f0e6d9b11"
                }
                """;

        // When
        StackBlockReader.StackBlock block = read(hcl).orElseThrow();

        // Then
        assertThat(block.line()).isEqualTo(6);
        assertThat(block.after()).isEmpty();
        assertThat(block.before()).containsExactly("/stacks/compute", "tag:app:prod");
        assertThat(block.tags()).containsExactly("net", "prod");
    }

    @Test
    void afterAnywhereButInTheTopLevelStackBlockIsNotTheStacks() throws Exception {
        // Given
        String hcl = """
                globals {
                  after = ["/nowhere"]
                  text  = "stack { after = [\\"/x\\"] }"
                  upper = "${tm_upper("} stack {")}"
                  kept  = "$${not a template} %%{neither}"
                }
                // stack { after = ["/y"] }
                /* stack {
                     after = ["/z"]
                   } */
                generate_hcl "x.tf" {
                  content {
                    stack {
                      after = ["/w"]
                    }
                  }
                }
                generate_file "y.txt" {
                  content = <<-EOT
                    stack {
                      after = ["/v"]
                    }
                  EOT
                }
                stack { after = ["/stacks/$${x}", "/\\u00e9t\\u00e9"] }
                """;

        // When
        StackBlockReader.StackBlock block = read(hcl).orElseThrow();

        // Then: only the one-line block at the end counts, its escapes decoded
        assertThat(block.line()).isEqualTo(25);
        assertThat(block.after()).containsExactly("/stacks/${x}", "/été");
    }

    @Test
    void aFileWithoutAStackBlockHasNone() throws Exception {
        // When / Then: a stack attribute, or a stack block inside another block, is no stack block
        assertThat(read("globals {\n  stack = \"not a block\"\n}\nstack = {}\ngenerate_hcl \"x.tf\" {\n  content {\n"
                        + "    stack {}\n  }\n}\n"))
                .isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "stack {\\n  afer = [\"/a\"]\\n}"
                        + "|2:3|the stack block has no attribute afer (Terramate knows id, name, description, tags,"
                        + " after, before, wants, wanted_by, watch); fix its name or remove it",
                "stack {\\n  after = [\"/a\", \"/a\"]\\n}|2:18|stack.after holds \"/a\" twice, and is a set; remove the"
                        + " repeat",
                "stack {\\n  after = [\"/a\"]\\n  after = [\"/b\"]\\n}|3:3|stack.after is set twice; keep one",
                "stack {\\n  tags = [\"a\", 1]\\n}|2:16|element 1 of stack.tags is not a string; make it a list of"
                        + " strings such as [\"/stacks/network\"]",
                "stack {\\n  after = tm_concat([\"/a\"])\\n}|2:11|stack.after must be a list of strings such as"
                        + " [\"/stacks/network\"], which Handoff reads without evaluating; write it as a literal list",
                "stack {\\n  after = [\"/${global.x}\"]\\n}|2:14|an element of stack.after holds a template (${...}),"
                        + " which Handoff cannot evaluate; write the value as a plain string",
                "stack {\\n  before {\\n  }\\n}|2:3|the stack block holds the block before, and takes none; move it"
                        + " out of stack {}",
                "stack {}\\nstack {}|2:1|a second stack {} block (the first is on line 1); keep one stack block per"
                        + " directory",
                "stack {\\n  name = \"open\\n}|2:10|a string is never closed; close it with \" on the same line",
                "globals {\\n  a = 1\\n|1:1|a block is never closed; close it with }",
                "stack {\\n  after = [\"/a\"] name = \"x\"\\n}|2:18|expected a new line here; put the next item on its"
                        + " own line",
                "/* stack {}\\n|1:1|a /* comment is never closed; close it with */",
            })
    void whatTerramateRefusesOrHandoffCannotReadFailsAtItsLine(String hcl, String at, String problem) {
        // When / Then
        assertThatThrownBy(() -> read(hcl.replace("\\n", "\n")))
                .isInstanceOf(StageFailure.class)
                .hasMessage("cannot read the Terramate configuration app/stack.tm.hcl:" + at + ": " + problem
                        + " in app/stack.tm.hcl")
                .satisfies(e -> assertThat(((StageFailure) e).reason()).isEqualTo("stack-order"));
    }

    private static Optional<StackBlockReader.StackBlock> read(String hcl) throws StageFailure {
        return StackBlockReader.read("app/stack.tm.hcl", hcl);
    }
}
