-- Images from the editor: a caption asked for at upload (the default caption where the
-- image is used), the focal point every crop keeps in view (percent of the width and the
-- height, 50/50 is the centre), and the name of the social-card copy cropped around it
-- (empty for images stored before cards were made).
ALTER TABLE media ADD COLUMN caption TEXT NOT NULL DEFAULT '';
ALTER TABLE media ADD COLUMN focus_x BIGINT NOT NULL DEFAULT 50;
ALTER TABLE media ADD COLUMN focus_y BIGINT NOT NULL DEFAULT 50;
ALTER TABLE media ADD COLUMN card_name TEXT NOT NULL DEFAULT '';
