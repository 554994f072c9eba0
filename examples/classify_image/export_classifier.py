#!/usr/bin/python3
"""Exports a trained torchvision image classifier to ONNX for inlay_classify_image.

The bench models in ../shared/models have random weights (they time the engine, they classify
nothing). A real classifier needs trained weights: torchvision's, either downloaded by
torchvision (--weights DEFAULT, needs network access) or from a file you downloaded elsewhere
(--weights-file, the .pth state dict of the same architecture).

  apt install python3-torchvision
  python3 examples/classify_image/export_classifier.py --arch mobilenet_v2 --weights DEFAULT \\
      -o mobilenet_v2.onnx --labels labels.txt
  build/examples/classify_image/inlay_classify_image --model mobilenet_v2.onnx \\
      --labels labels.txt IMAGE

Writes MODEL (opset 13, input "input" float32[1, 3, 224, 224], output "logits" [1, 1000]) and,
when the weights come with them, the ImageNet class names, one per line (--labels).
"""
import argparse
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arch", default="mobilenet_v2",
                        help="a torchvision.models classifier (mobilenet_v2, resnet18, ...)")
    parser.add_argument("--weights", default=None,
                        help="torchvision weights name, e.g. DEFAULT or IMAGENET1K_V1 (downloads)")
    parser.add_argument("--weights-file", default=None, help="a local .pth state dict")
    parser.add_argument("-o", "--output", required=True, help="the ONNX file to write")
    parser.add_argument("--labels", default=None, help="write the class names here")
    args = parser.parse_args()

    try:
        import torch
        import torchvision
    except ImportError as e:
        sys.exit(f"export_classifier: {e}; install python3-torchvision")
    if not args.weights and not args.weights_file:
        sys.exit("export_classifier: give --weights (torchvision downloads them) or "
                 "--weights-file (a .pth you have); without trained weights the classes mean "
                 "nothing")

    build = getattr(torchvision.models, args.arch, None)
    if build is None:
        sys.exit(f"export_classifier: torchvision.models has no '{args.arch}'")
    categories = None
    if args.weights:
        weights = torchvision.models.get_model_weights(args.arch)[args.weights] \
            if args.weights != "DEFAULT" else torchvision.models.get_model_weights(args.arch).DEFAULT
        model = build(weights=weights)
        categories = weights.meta.get("categories")
    else:
        model = build(weights=None)
        state = torch.load(args.weights_file, map_location="cpu")
        model.load_state_dict(state)
    model.eval()

    x = torch.zeros(1, 3, 224, 224)
    torch.onnx.export(model, x, args.output, opset_version=13, input_names=["input"],
                      output_names=["logits"])
    print(f"wrote {args.output}")
    if args.labels:
        if categories is None:
            print("no class names come with --weights-file; --labels not written")
        else:
            with open(args.labels, "w") as f:
                f.write("\n".join(categories) + "\n")
            print(f"wrote {args.labels} ({len(categories)} classes)")


if __name__ == "__main__":
    main()
