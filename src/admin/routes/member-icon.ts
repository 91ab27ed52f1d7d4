import { createRoute, z } from "@hono/zod-openapi";
import { iconType, MAX_ICON_BYTES, removeMemberIcon, setMemberIcon } from "../../loyalty/members/member-icons";
import { adminBodyLimit, adminRouter, bearerSecurity } from "../app";
import { AdminError } from "../errors";
import { ErrorResponse, errorResponses, PathId } from "../schemas";
import { found, memberJson, memberResponse, origin, syncCard, TAGS } from "./members-common";

// A member's icon: uploaded as the image itself (PNG or JPEG), served by icon_url.

// A 16x16 icon, for the upload's examples (what PUT /members/{id}/icon takes is the image file itself).
const exampleIcon = {
  png: "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAABk0lEQVR4AaSQO0hCcRjFDxGVhRJlNYQRKCSYQ48pEioCp6yp1kiCXoMETeFUNEU49ILosbekLTU1KE41SDoEGk0tWWiR4IPK89f75/qaunDkfN93zs/Lrfv951OHsuczlcP+VRSLe/ewue6E6LnjrSyOEoD/MQ6HO4Cj6xiCkXd8fGWE6LnjjRk1RAIC4TiWPA94S6TV9xLPGzNqiAAkv7PYPAvLcOTUDkou8mZ12gQqb+G+CIMdegHwBl8RT9b+ZxZXHEbmhfgm7HAQgFAsQV9VSvn85gUH3qjMKJ0C4Lk6QF3evXySZZpQsSMAmewPdzWVSucqbkpHAMwGbUWAC77yoS8mPt68vZcrKaVTAPTo5KHcKJCN2T6oIeZiRwDmxgzQaurLu3JWIC1NhQyz7DAgAN16DbYX+jkLWZy3oMRQ/CGE4rjjtIIdegGgmRzswrFrCB2tjRyrijdmJgY65V0CuLFZ9fBtjWJ5yogRSzvatA1C9NzxxgyzikoAXOqa67E2Y8LJ+jD8nnEheu54Y0atPwAAAP//7eay0gAAAAZJREFUAwDZl97h3dQJdwAAAABJRU5ErkJggg==",
  jpeg:
    "data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD/4gHYSUNDX1BST0ZJTEUAAQEAAAHIAAAAAAQwAABtbnRyUkdCIFhZWiAH4AABAAEAAAAAAABhY3NwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQAA9tYAAQAAAADTLQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlkZXNjAAAA8AAAACRyWFlaAAABFAAAABRnWFlaAAABKAAAABRiWFlaAAABPAAAABR3dHB0AAABUAAAABRyVFJDAAABZAAAAChnVFJDAAABZAAAAChiVFJDAAABZAAAAChjcHJ0AAABjAAAADxtbHVjAAAAAAAAAAEAAAAMZW5VUwAAAAgAAAAcAHMAUgBHAEJYWVogAAAAAAAAb6IAADj1AAADkFhZWiAAAAAAAABimQAAt4UAABjaWFlaIAAAAAAAACSgAAAPhAAAts9YWVogAAAAAAAA9tYAAQAAAADTLXBhcmEAAAAAAAQAAAACZmYAAPKnAAANWQAAE9AAAApbAAAAAAAAAABtbHVjAAAAAAAAAAEAAAAMZW5VUwAAACAAAAAcAEcAbwBvAGcAbABlACAASQBuAGMALgAgADIAMAAxADb/2wBDAAoHBwgHBgoICAgLCgoLDhgQDg0NDh0VFhEYIx8lJCIfIiEmKzcvJik0KSEiMEExNDk7Pj4+JS5ESUM8SDc9Pjv/2wBDAQoLCw4NDhwQEBw7KCIoOzs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozv/wAARCAAQABADASIAAhEBAxEB/8QAFgABAQEAAAAAAAAAAAAAAAAAAwIG/8QAIBAAAQQCAgMBAAAAAAAAAAAABQECBBEDQQAhEhQyUf/EABUBAQEAAAAAAAAAAAAAAAAAAAQF/8QAHhEAAQIHAQAAAAAAAAAAAAAAEQBhEhMiI0Gh8PH/2gAMAwEAAhEDEQA/ANUZNEzBkmNGzXwsQ2NkyquJtvzPZVttFtO1rr84YA8TFmYgktO9t0rp+Ny+T4z1+UV21XaavlmApMMZJkhsJ83ESjZMVYnU/C99KrqRLXtL6/eGAAEypmIWKwfUdFp2TI5PF8l6fKq3Sptd8qW5eAGJHeIVcb6C/9k=",
};

export const memberIconRoutes = adminRouter()
  .openapi(
    createRoute({
      method: "put",
      path: "/members/{id}/icon",
      tags: TAGS,
      summary: "Upload a member's icon (PNG or JPEG, up to 1 MB)",
      description: "The body is the image itself. The member's icon_url then serves it; the POS shows it at its next lookup.",
      security: bearerSecurity,
      middleware: [adminBodyLimit(MAX_ICON_BYTES)] as const,
      request: {
        params: PathId,
        body: {
          required: true,
          content: {
            "image/png": {
              schema: z.string().openapi({ format: "binary" }),
              examples: {
                icon: {
                  summary: "A 16x16 PNG icon",
                  description: "The file as the body, e.g. curl -X PUT -H 'content-type: image/png' --data-binary @icon.png",
                  externalValue: exampleIcon.png,
                },
              },
            },
            "image/jpeg": {
              schema: z.string().openapi({ format: "binary" }),
              examples: {
                icon: {
                  summary: "A 16x16 JPEG icon",
                  description: "The file as the body, e.g. curl -X PUT -H 'content-type: image/jpeg' --data-binary @icon.jpg",
                  externalValue: exampleIcon.jpeg,
                },
              },
            },
          },
        },
      },
      responses: {
        200: memberResponse("The member, with its new icon_url"),
        ...errorResponses(404, 413),
        415: { description: "Not a PNG or JPEG (code unsupported_media_type)", content: { "application/json": { schema: ErrorResponse } } },
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const body = await c.req.arrayBuffer();
      const contentType = iconType(c.req.header("content-type"), new Uint8Array(body.slice(0, 8)));
      if (!contentType) throw new AdminError("unsupported_media_type", "Send a PNG or JPEG image as image/png or image/jpeg");
      if (body.byteLength > MAX_ICON_BYTES) throw new AdminError("payload_too_large", "An icon is at most 1 MB");
      const { db, cache } = c.get("services");
      const row = found(await setMemberIcon(db, cache, { companyId: c.get("companyId"), memberId: id, body, contentType }));
      await syncCard(c, row.id, row.status === "active");
      return c.json(memberJson(row, origin(c)), 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/members/{id}/icon",
      tags: TAGS,
      summary: "Remove a member's icon",
      security: bearerSecurity,
      request: { params: PathId },
      responses: { 200: memberResponse("The member, icon_url null"), ...errorResponses(404) },
    }),
    async (c) => {
      const row = found(await removeMemberIcon(c.get("services").db, c.get("services").cache, { companyId: c.get("companyId"), memberId: c.req.valid("param").id }));
      await syncCard(c, row.id, row.status === "active");
      return c.json(memberJson(row, origin(c)), 200);
    },
  );
