namespace IotLabKit.HelpCompiler;

/// <summary>One cmdlet's help as written in <c>module/help/Verb-Noun.md</c>.</summary>
internal sealed class HelpMarkdown
{
    public required string Name { get; init; }
    public string Synopsis { get; set; } = "";
    public List<string> Description { get; } = [];
    public Dictionary<string, List<string>> Parameters { get; } = new(StringComparer.OrdinalIgnoreCase);
    public List<HelpExample> Examples { get; } = [];
    public List<(string Type, List<string> Text)> Inputs { get; } = [];
    public List<(string Type, List<string> Text)> Outputs { get; } = [];
    public List<string> Notes { get; } = [];
    public List<string> RelatedLinks { get; } = [];

    /// <summary>Reads the format described in docs/architecture.md; unknown sections are ignored.</summary>
    public static HelpMarkdown Parse(string name, string text)
    {
        var help = new HelpMarkdown { Name = name };
        string? section = null;
        string? sub = null;
        HelpExample? example = null;
        var block = new List<string>();
        var inFence = false;
        var fence = new List<string>();

        void FlushBlock()
        {
            if (block.Count == 0) return;
            var para = string.Join(" ", block.Select(l => l.Trim()));
            block.Clear();
            switch (section)
            {
                case "SYNOPSIS": help.Synopsis = help.Synopsis.Length == 0 ? para : help.Synopsis + " " + para; break;
                case "DESCRIPTION": help.Description.Add(para); break;
                case "PARAMETERS" when sub is not null: help.Parameters[sub.TrimStart('-')].Add(para); break;
                case "EXAMPLES" when example is not null: example.Remarks.Add(para); break;
                case "INPUTS" when help.Inputs.Count > 0: help.Inputs[^1].Text.Add(para); break;
                case "OUTPUTS" when help.Outputs.Count > 0: help.Outputs[^1].Text.Add(para); break;
                case "NOTES": help.Notes.Add(para); break;
                case "RELATED LINKS": help.RelatedLinks.Add(para.TrimStart('-', '*', ' ')); break;
            }
        }

        foreach (var raw in text.Replace("\r\n", "\n").Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                if (inFence)
                {
                    if (example is not null) example.Code.Add(string.Join("\n", fence));
                    fence.Clear();
                    inFence = false;
                }
                else { FlushBlock(); inFence = true; }
                continue;
            }
            if (inFence) { fence.Add(raw); continue; }

            if (line.StartsWith("### ", StringComparison.Ordinal))
            {
                FlushBlock();
                sub = line[4..].Trim();
                switch (section)
                {
                    case "PARAMETERS": help.Parameters[sub.TrimStart('-')] = []; break;
                    case "EXAMPLES": example = new HelpExample { Title = sub }; help.Examples.Add(example); break;
                    case "INPUTS": help.Inputs.Add((sub, [])); break;
                    case "OUTPUTS": help.Outputs.Add((sub, [])); break;
                }
                continue;
            }
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                FlushBlock();
                section = line[3..].Trim().ToUpperInvariant();
                sub = null;
                example = null;
                continue;
            }
            if (line.StartsWith("# ", StringComparison.Ordinal)) { FlushBlock(); continue; }
            if (line.Length == 0) { FlushBlock(); continue; }
            // A list item starts its own paragraph so bullet lists stay readable in the console.
            if (line.TrimStart().StartsWith("- ", StringComparison.Ordinal)) FlushBlock();
            block.Add(line);
        }
        FlushBlock();
        return help;
    }
}

/// <summary>One example: a title, code blocks, and the prose that explains them.</summary>
internal sealed class HelpExample
{
    public required string Title { get; init; }
    public List<string> Code { get; } = [];
    public List<string> Remarks { get; } = [];
}
