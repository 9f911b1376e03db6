/*
 * png_check - print the size of a PNG and how many of its pixels are not
 * blank, for the browser test of ev-report's HTML: "WIDTH HEIGHT NONBLANK".
 * A pixel is blank when every channel is within 24 of the top-left pixel
 * (the page background), so the count is the ink: text, lines, bands.
 * Each RRGGBB argument adds a count of the pixels within 48 of that colour
 * in every channel (to find a chart's line among the text).
 * Exit 0, 1 when the file is no readable PNG, 77 when built without libpng.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__has_include)
#if __has_include(<png.h>)
#define HAVE_PNG 1
#endif
#endif

#ifdef HAVE_PNG
#include <png.h>

int
main(int argc, char **argv)
{
	png_image img;
	png_bytep px;
	size_t n, i, ink = 0;
	int a;

	if (argc < 2) {
		fprintf(stderr, "usage: png_check FILE.png [RRGGBB ...]\n");
		return 2;
	}
	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&img, argv[1])) {
		fprintf(stderr, "png_check: %s: %s\n", argv[1], img.message);
		return 1;
	}
	img.format = PNG_FORMAT_RGB;
	n = PNG_IMAGE_SIZE(img);
	px = malloc(n);
	if (px == NULL || !png_image_finish_read(&img, NULL, px, 0, NULL)) {
		fprintf(stderr, "png_check: %s: %s\n", argv[1], img.message);
		free(px);
		png_image_free(&img);
		return 1;
	}
	for (i = 0; i + 2 < n; i += 3) {
		int d0 = abs(px[i] - px[0]), d1 = abs(px[i + 1] - px[1]);
		int d2 = abs(px[i + 2] - px[2]);

		if (d0 > 24 || d1 > 24 || d2 > 24)
			ink++;
	}
	printf("%u %u %zu", (unsigned)img.width, (unsigned)img.height, ink);
	for (a = 2; a < argc; a++) {
		unsigned long rgb = strtoul(argv[a], NULL, 16);
		int c[3] = { (int)(rgb >> 16) & 255, (int)(rgb >> 8) & 255,
		    (int)rgb & 255 };
		size_t near = 0;

		for (i = 0; i + 2 < n; i += 3)
			if (abs(px[i] - c[0]) <= 48 && abs(px[i + 1] - c[1]) <=
			    48 && abs(px[i + 2] - c[2]) <= 48)
				near++;
		printf(" %zu", near);
	}
	printf("\n");
	free(px);
	return 0;
}
#else
int
main(void)
{
	fprintf(stderr, "png_check: built without libpng (libpng-dev)\n");
	return 77;
}
#endif
