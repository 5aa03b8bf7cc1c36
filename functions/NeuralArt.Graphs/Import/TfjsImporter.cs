using NeuralArt.Graphs.Onnx;
using Onnx;

namespace NeuralArt.Graphs.Import;

/// <summary>
/// Converts a TF.js layers model (Keras topology in <c>model.json</c>, weights in its <c>.bin</c>
/// files) into an ONNX CNN the compiler reads: NCHW, image input <c>[N, 3, H, W]</c> with dynamic
/// height and width, every tensor named after the Keras layer that computes it (so taps are layer
/// names, <c>mixed3</c>). No Python, no TensorFlow: the layers are converted one by one
/// (<see cref="KerasLayerConverters"/>), and a layer of an unsupported kind is an error naming it.
/// </summary>
public static class TfjsImporter
{
    /// <summary>Opset of the written backbone; the compiler normalizes whatever it reads.</summary>
    public const long Opset = 13;

    private const long IrVersion = 7;
    private const int ImageChannels = 3;

    public static TfjsImport Import(string modelJsonPath)
    {
        var model = TfjsModel.Load(modelJsonPath);
        if (model.Inputs.Count != 1)
        {
            throw new GraphCompilationException($"'{modelJsonPath}' has {model.Inputs.Count} inputs; an image CNN has one.");
        }
        var builder = new GraphBuilder();
        builder.Reserve(model.Layers.Select(l => l.Name));
        var context = new LayerContext(builder, model);
        var taps = new List<string>();
        foreach (var layer in model.Layers)
        {
            if (layer.ClassName == "InputLayer") continue;
            if (layer.Config.TryGetProperty("data_format", out var format) && format.GetString() is { } f && f != "channels_last")
            {
                throw new GraphCompilationException($"Layer '{layer.Name}' uses data_format '{f}'; only channels_last (Keras' default) is supported.");
            }
            var start = builder.Nodes.Count;
            KerasLayerConverters.For(layer)(layer, layer.Inbound, layer.Name, context);
            // Nodes named after their layer make ONNX Runtime's and the compiler's errors readable.
            for (var i = start; i < builder.Nodes.Count; i++) builder.Nodes[i].Name = i == builder.Nodes.Count - 1 ? layer.Name : $"{layer.Name}/{i - start}";
            if (KerasLayerConverters.IsTapCandidate(layer)) taps.Add(layer.Name);
        }

        var input = model.Inputs[0];
        var graph = new GraphProto { Name = model.ModelName };
        graph.Node.AddRange(builder.Nodes);
        graph.Initializer.AddRange(builder.Initializers.Values);
        graph.Input.Add(ValueInfos.Float(input, ValueInfos.Dim("N"), ValueInfos.Dim(ImageChannels), ValueInfos.Dim("H"), ValueInfos.Dim("W")));
        foreach (var output in model.Outputs) graph.Output.Add(new ValueInfoProto { Name = output, Type = FloatType() });
        var onnx = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "NeuralArt.Graphs TF.js importer",
            Graph = graph,
        };
        onnx.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return new TfjsImport(onnx, input, model.Outputs, taps);
    }

    private static TypeProto FloatType() => new() { TensorType = new TypeProto.Types.Tensor { ElemType = Tensors.FloatType } };
}
