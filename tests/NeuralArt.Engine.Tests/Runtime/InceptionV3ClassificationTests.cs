using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NeuralArt.Engine.Imaging;
using NeuralArt.Engine.Tensors;
using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Import;
using Xunit.Abstractions;

namespace NeuralArt.Engine.Tests.Runtime;

/// <summary>
/// The TF.js import checked end to end against the model's own purpose: nsfwjs' Inception v3,
/// imported from the TF.js files the build wrote (models/backbones/inception_v3_tfjs/), classifies
/// the sample images as nsfwjs does, fed as nsfwjs feeds it (RGB / 255, bilinear with aligned corners
/// to 299x299). A wrong kernel layout, dequantization, padding or Flatten order breaks this.
/// </summary>
public sealed class InceptionV3ClassificationTests(ITestOutputHelper output)
{
    /// <summary>nsfwjs' input size (its model's topology is 299x299).</summary>
    private const int InputSize = 299;

    /// <summary>nsfwjs' class order (nsfw_classes.js).</summary>
    private static readonly string[] Classes = ["Drawing", "Hentai", "Neutral", "Porn", "Sexy"];

    /// <summary>Sample, expected class, and the least probability of that class (measured values in the test output).</summary>
    public static TheoryData<string, string, double> Samples() => new()
    {
        { "content/cat_chelsea.png", "Neutral", 0.9 },
        { "content/china_pagoda.jpg", "Neutral", 0.9 },
        { "content/grace_hopper.jpg", "Neutral", 0.9 },
        { "content/mountain_landscape.jpg", "Neutral", 0.9 },
        // nsfwjs gives The Scream about 0.9 Drawing.
        { "style/munch_the_scream.jpg", "Drawing", 0.8 },
    };

    private static readonly Lazy<InferenceSession> Session = new(() =>
    {
        var modelJson = Path.Combine(ModelCatalog.Locate().Directory, "backbones", "inception_v3_tfjs", "model.json");
        Assert.True(File.Exists(modelJson), $"{modelJson} is missing: run 'npm ci' in the repository, then build (models/Backbones.targets writes it).");
        var import = TfjsImporter.Import(modelJson);
        using var options = new SessionOptions { IntraOpNumThreads = 2 };
        return new InferenceSession(import.Model.ToByteArray(), options);
    });

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task Imported_inception_classifies_the_samples_as_nsfwjs_does(string sample, string expected, double minProbability)
    {
        var path = Path.Combine(Path.GetDirectoryName(ModelCatalog.Locate().Directory)!, "samples", sample);
        using var image = await new ImageLoader().LoadFileAsync(path, "image");
        var input = Resize.Bilinear(image.ToTensor(), InputSize, InputSize);

        var session = Session.Value;
        var inputName = session.InputMetadata.Keys.Single();
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(inputName, new DenseTensor<float>(input.Data, [1, 3, InputSize, InputSize]))]);
        var probabilities = results.Single().AsEnumerable<float>().ToArray();

        Assert.Equal(Classes.Length, probabilities.Length);
        Assert.Equal(1.0, probabilities.Sum(p => (double)p), 4);
        output.WriteLine($"{sample}: " + string.Join(", ", Classes.Select((c, i) => $"{c} {probabilities[i]:F3}")));
        var top = Array.IndexOf(probabilities, probabilities.Max());
        Assert.Equal(expected, Classes[top]);
        Assert.True(probabilities[top] >= minProbability, $"{sample}: {expected} at {probabilities[top]:F3}, expected at least {minProbability}.");
    }
}
