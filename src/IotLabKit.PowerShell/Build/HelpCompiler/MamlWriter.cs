using System.Xml.Linq;

namespace IotLabKit.HelpCompiler;

/// <summary>Writes PowerShell's MAML command help from the markdown text and the cmdlet metadata.</summary>
internal static class MamlWriter
{
    private static readonly XNamespace Msh = "http://msh";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    private static readonly Dictionary<string, string> CommonRiskParameters = new()
    {
        ["WhatIf"] = "Shows what would happen if the cmdlet runs. The cmdlet is not run.",
        ["Confirm"] = "Prompts you for confirmation before running the cmdlet.",
    };

    public static XDocument Write(IEnumerable<(CmdletMetadata Cmdlet, HelpMarkdown Help)> commands)
    {
        var root = new XElement(Msh + "helpItems", new XAttribute("schema", "maml"),
            new XAttribute(XNamespace.Xmlns + "maml", Maml.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "command", Command.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "dev", Dev.NamespaceName));
        foreach (var (cmdlet, help) in commands) root.Add(WriteCommand(cmdlet, help));
        return new XDocument(new XDeclaration("1.0", "utf-8", null), root);
    }

    private static XElement WriteCommand(CmdletMetadata cmdlet, HelpMarkdown help)
    {
        var visible = cmdlet.Parameters.Where(p => !p.DontShow).ToList();
        return new XElement(Command + "command",
            new XElement(Command + "details",
                new XElement(Command + "name", cmdlet.Name),
                new XElement(Command + "verb", cmdlet.Verb),
                new XElement(Command + "noun", cmdlet.Noun),
                Description(help.Synopsis)),
            Description(help.Description.ToArray()),
            new XElement(Command + "syntax", cmdlet.ParameterSets.Select(set => SyntaxItem(cmdlet, set, visible, help))),
            new XElement(Command + "parameters",
                visible.Select(p => Parameter(p, p.Sets.Values.First(), help, inSyntax: false)),
                cmdlet.SupportsShouldProcess ? CommonRiskParameters.Select(kv => SwitchParameter(kv.Key, kv.Value)) : null),
            new XElement(Command + "inputTypes", Inputs(cmdlet, help)),
            new XElement(Command + "returnValues", Outputs(cmdlet, help)),
            help.Notes.Count == 0 ? null : new XElement(Maml + "alertSet",
                new XElement(Maml + "alert", help.Notes.Select(Para))),
            new XElement(Command + "examples", help.Examples.Select((e, i) => new XElement(Command + "example",
                new XElement(Maml + "title", $"---------- {(e.Title.StartsWith("Example", StringComparison.OrdinalIgnoreCase) ? e.Title : $"Example {i + 1}: {e.Title}")} ----------"),
                new XElement(Dev + "code", string.Join("\n\n", e.Code)),
                // The trailing empty paragraph keeps a blank line between examples, as in PowerShell's own help.
                new XElement(Dev + "remarks", e.Remarks.Append("").Select(Para))))),
            new XElement(Command + "relatedLinks", help.RelatedLinks.Select(l =>
                new XElement(Maml + "navigationLink", new XElement(Maml + "linkText", l), new XElement(Maml + "uri")))));
    }

    private static IEnumerable<XElement> Inputs(CmdletMetadata cmdlet, HelpMarkdown help)
    {
        if (help.Inputs.Count > 0)
            return help.Inputs.Select(i => new XElement(Command + "inputType", TypeElement(i.Type), Description(i.Text.ToArray())));
        // Without an INPUTS section, say what the pipeline binds, straight from the parameter attributes.
        return cmdlet.Parameters
            .SelectMany(p => p.Sets.Values.Where(b => b.FromPipeline || b.FromPipelineByPropertyName).Take(1).Select(b => (p, b)))
            .Select(x => new XElement(Command + "inputType", TypeElement(x.p.TypeName), Description(x.b.FromPipeline
                ? $"You can pipe {x.p.TypeName} values to -{x.p.Name}."
                : $"You can pipe objects that have a {x.p.Name} property (for example the output of Get-IotDevice); it binds to -{x.p.Name}.")));
    }

    private static IEnumerable<XElement> Outputs(CmdletMetadata cmdlet, HelpMarkdown help)
    {
        if (help.Outputs.Count > 0)
            return help.Outputs.Select(o => new XElement(Command + "returnValue", TypeElement(o.Type), Description(o.Text.ToArray())));
        return cmdlet.OutputTypes.Select(t => new XElement(Command + "returnValue", TypeElement(t), Description()));
    }

    private static XElement SyntaxItem(CmdletMetadata cmdlet, string set, List<ParameterMetadata> parameters, HelpMarkdown help)
    {
        var inSet = parameters.Select(p => (Parameter: p, Binding: p.In(set))).Where(x => x.Binding is not null)
            .OrderBy(x => x.Binding!.IsPositional ? x.Binding.Position : int.MaxValue)
            .ThenBy(x => x.Binding!.Mandatory ? 0 : 1)
            .ToList();
        return new XElement(Command + "syntaxItem",
            new XElement(Maml + "name", cmdlet.Name),
            inSet.Select(x => Parameter(x.Parameter, x.Binding!, help, inSyntax: true)),
            cmdlet.SupportsShouldProcess ? CommonRiskParameters.Select(kv => SwitchParameter(kv.Key, kv.Value)) : null);
    }

    private static XElement Parameter(ParameterMetadata p, ParameterInSet binding, HelpMarkdown help, bool inSyntax)
    {
        var typeName = p.TypeName;
        help.Parameters.TryGetValue(p.Name, out var text);
        var element = new XElement(Command + "parameter",
            new XAttribute("required", binding.Mandatory ? "true" : "false"),
            new XAttribute("variableLength", p.IsArray ? "true" : "false"),
            new XAttribute("globbing", p.Globbing ? "true" : "false"),
            new XAttribute("pipelineInput", binding.PipelineText),
            new XAttribute("position", binding.IsPositional ? binding.Position.ToString(System.Globalization.CultureInfo.InvariantCulture) : "named"),
            new XAttribute("aliases", p.Aliases.Count == 0 ? "none" : string.Join(", ", p.Aliases)),
            new XElement(Maml + "name", p.Name),
            Description(text?.ToArray() ?? []));
        if (p.ValidValues.Count > 0)
            element.Add(new XElement(Command + "parameterValueGroup",
                p.ValidValues.Select(v => new XElement(Command + "parameterValue", new XAttribute("required", "false"), new XAttribute("variableLength", "false"), v))));
        if (!p.IsSwitch || !inSyntax)
            element.Add(new XElement(Command + "parameterValue", new XAttribute("required", p.IsSwitch ? "false" : "true"),
                new XAttribute("variableLength", p.IsArray ? "true" : "false"), typeName));
        element.Add(TypeElement(typeName), new XElement(Dev + "defaultValue", "None"));
        return element;
    }

    private static XElement SwitchParameter(string name, string text) =>
        new(Command + "parameter",
            new XAttribute("required", "false"), new XAttribute("variableLength", "false"), new XAttribute("globbing", "false"),
            new XAttribute("pipelineInput", "False"), new XAttribute("position", "named"),
            new XAttribute("aliases", name == "WhatIf" ? "wi" : "cf"),
            new XElement(Maml + "name", name), Description(text),
            TypeElement("SwitchParameter"), new XElement(Dev + "defaultValue", "False"));

    private static XElement TypeElement(string name) => new(Dev + "type", new XElement(Maml + "name", name), new XElement(Maml + "uri"));

    private static XElement Description(params string[] paragraphs) => new(Maml + "description", paragraphs.Select(Para));

    private static XElement Para(string text) => new(Maml + "para", text);
}
